//! Store records ↔ protocol messages.

use bulwark_proto::v1 as pb;

use super::ServiceError;
use crate::backend::Backend;
use crate::store::{Job, JobState, Stage};

/// The backend a request asks for (unspecified: Groth16); a value outside the enum is
/// `INVALID_ARGUMENT` naming the field.
pub(crate) fn backend_from_pb(value: i32) -> Result<Backend, ServiceError> {
    match pb::Backend::try_from(value) {
        Ok(pb::Backend::Groth16 | pb::Backend::Unspecified) => Ok(Backend::Groth16),
        Ok(pb::Backend::Plonk) => Ok(Backend::Plonk),
        Err(_) => Err(ServiceError::Invalid {
            what: "backend",
            value: value.to_string(),
        }),
    }
}

/// The protocol's name of a job state.
pub(crate) fn state_to_pb(state: JobState) -> pb::JobState {
    match state {
        JobState::Queued => pb::JobState::Queued,
        JobState::Running => pb::JobState::Running,
        JobState::Succeeded => pb::JobState::Succeeded,
        JobState::Failed => pb::JobState::Failed,
        JobState::Cancelled => pb::JobState::Cancelled,
    }
}

/// The store's job state for a filter; `None` for "any".
pub(crate) fn state_from_pb(state: pb::JobState) -> Option<JobState> {
    match state {
        pb::JobState::Unspecified => None,
        pb::JobState::Queued => Some(JobState::Queued),
        pb::JobState::Running => Some(JobState::Running),
        pb::JobState::Succeeded => Some(JobState::Succeeded),
        pb::JobState::Failed => Some(JobState::Failed),
        pb::JobState::Cancelled => Some(JobState::Cancelled),
    }
}

fn stage_to_pb(stage: Stage) -> pb::Stage {
    match stage {
        Stage::Queued => pb::Stage::Queued,
        Stage::Check => pb::Stage::Check,
        Stage::Witness => pb::Stage::Witness,
        Stage::Prove => pb::Stage::Prove,
        Stage::Done => pb::Stage::Done,
    }
}

/// The protocol's view of a stored job.
pub(crate) fn job_to_pb(job: Job) -> pb::Job {
    pb::Job {
        job_id: job.id,
        statement: pb::StatementKind::Rollup as i32,
        backend: Backend::from_name(&job.backend).map_or(pb::Backend::Unspecified, Backend::to_pb)
            as i32,
        state: state_to_pb(job.state) as i32,
        stage: stage_to_pb(job.stage) as i32,
        priority: job.priority,
        idempotency_key: job.idempotency_key.unwrap_or_default(),
        error: job.error.unwrap_or_default(),
        attempts: job.attempts,
        proof: job.proof.unwrap_or_default(),
        public_inputs: job.public_inputs,
        timings: job
            .timings
            .into_iter()
            .map(|t| pb::StageTiming {
                stage: stage_to_pb(t.stage) as i32,
                seconds: t.seconds,
            })
            .collect(),
        created_unix_ms: job.created_ms,
        started_unix_ms: job.started_ms.unwrap_or(0),
        finished_unix_ms: job.finished_ms.unwrap_or(0),
        deadline_unix_ms: job.deadline_ms,
    }
}
