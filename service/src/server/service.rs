//! The `bulwark.prover.v1.Prover` RPCs.

use std::{sync::Arc, time::Duration};

use bulwark_circuits::rollup::{self, Batch, State};
use bulwark_proto::v1::{self as pb, prover_server::Prover};
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use super::{
    Limits, ServiceError,
    auth::tenant,
    convert,
    keys::{LazyPlonkKeys, RollupKeys},
    metrics::Metrics,
};
use crate::{
    backend::Backend,
    store::{JobStore, ListQuery, NewJob, StoreError, now_ms},
    worker::{Events, RollupPayload},
};

const STATEMENT_ROLLUP: &str = "rollup";
const DEFAULT_PAGE: u32 = 50;
const MAX_PAGE: u32 = 500;

/// The RPC handlers over a job store.
pub(crate) struct ProverService {
    pub(crate) store: Arc<dyn JobStore>,
    pub(crate) keys: Arc<RollupKeys>,
    /// The PLONK keys, made on first use.
    pub(crate) plonk: Arc<LazyPlonkKeys>,
    pub(crate) events: Events,
    pub(crate) max_attempts: u32,
    /// How often a watcher re-reads its job when no in-process event arrives.
    pub(crate) poll: Duration,
    pub(crate) limits: Limits,
    pub(crate) metrics: Metrics,
    /// True once the server shuts down: watch streams end so the shutdown is not held open.
    pub(crate) stopping: tokio::sync::watch::Receiver<bool>,
}

impl ProverService {
    /// Validates the request and the witness natively, then stores the job.
    async fn submit(
        &self,
        tenant: String,
        req: pb::SubmitJobRequest,
    ) -> Result<pb::SubmitJobResponse, ServiceError> {
        match pb::StatementKind::try_from(req.statement) {
            Ok(pb::StatementKind::Rollup) => {}
            Ok(pb::StatementKind::Unspecified) => return Err(ServiceError::Missing("statement")),
            Err(_) => {
                return Err(ServiceError::Unsupported {
                    what: "statement",
                    value: req.statement.to_string(),
                });
            }
        }
        let backend = convert::backend_from_pb(req.backend)?;
        let Some(pb::submit_job_request::Witness::Rollup(witness)) = req.witness else {
            return Err(ServiceError::Missing("witness.rollup"));
        };
        let params = self.keys.params;
        let payload = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, ServiceError> {
            let state: State = serde_json::from_str(&witness.state_json)
                .map_err(|e| ServiceError::json("state", e))?;
            let batch: Batch = serde_json::from_str(&witness.batch_json)
                .map_err(|e| ServiceError::json("batch", e))?;
            rollup::check(&state, &batch, &params)?;
            serde_json::to_vec(&RollupPayload { state, batch })
                .map_err(|e| ServiceError::json("payload", e))
        })
        .await
        .map_err(|e| ServiceError::Invalid {
            what: "witness",
            value: format!("validation panicked: {e}"),
        })??;
        let key = Some(req.idempotency_key).filter(|k| !k.is_empty());
        let submitted = self
            .store
            .submit_limited(
                NewJob {
                    tenant,
                    idempotency_key: key,
                    statement: STATEMENT_ROLLUP.into(),
                    backend: backend.name().into(),
                    payload,
                    priority: req.priority,
                    deadline_ms: req.deadline_unix_ms,
                    max_attempts: self.max_attempts,
                },
                &self.limits,
                now_ms(),
            )
            .await
            .inspect_err(|e| match e {
                StoreError::QueueFull { .. } => self.metrics.rejected("queue_full"),
                StoreError::TenantLimit { .. } => self.metrics.rejected("tenant_limit"),
                _ => {}
            })?;
        if submitted.created {
            tracing::info!(
                id = %submitted.job.id,
                priority = req.priority,
                backend = backend.name(),
                "job queued"
            );
            self.events.bump();
        }
        Ok(pb::SubmitJobResponse {
            job_id: submitted.job.id,
            created: submitted.created,
        })
    }

    async fn job(&self, tenant: &str, id: &str) -> Result<crate::store::Job, ServiceError> {
        self.store
            .get(tenant, id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(id.to_owned()))
    }

    async fn list(
        &self,
        tenant: String,
        req: pb::ListJobsRequest,
    ) -> Result<pb::ListJobsResponse, ServiceError> {
        let state = pb::JobState::try_from(req.state).map_err(|_| ServiceError::Invalid {
            what: "state",
            value: req.state.to_string(),
        })?;
        let after = if req.page_token.is_empty() {
            None
        } else {
            Some(
                req.page_token
                    .parse::<i64>()
                    .map_err(|_| ServiceError::Invalid {
                        what: "page_token",
                        value: req.page_token.clone(),
                    })?,
            )
        };
        let limit = match req.page_size {
            0 => DEFAULT_PAGE,
            n => n.min(MAX_PAGE),
        };
        let page = self
            .store
            .list(&ListQuery {
                tenant,
                state: convert::state_from_pb(state),
                limit,
                after,
            })
            .await?;
        Ok(pb::ListJobsResponse {
            jobs: page.jobs.into_iter().map(convert::job_to_pb).collect(),
            next_page_token: page.next.map(|n| n.to_string()).unwrap_or_default(),
        })
    }

    /// Streams the job on every change of state, stage or attempt until it is finished.
    async fn watch(
        &self,
        tenant: String,
        id: String,
    ) -> Result<ReceiverStream<Result<pb::Job, Status>>, ServiceError> {
        let first = self.job(&tenant, &id).await?;
        let (tx, rx) = tokio::sync::mpsc::channel(16);
        let store = self.store.clone();
        let mut events = self.events.subscribe();
        let mut stopping = self.stopping.clone();
        let poll = self.poll;
        tokio::spawn(async move {
            let mut job = first;
            let mut last = None;
            loop {
                let key = (job.state, job.stage, job.attempts);
                let done = job.state.is_terminal();
                if last != Some(key) {
                    last = Some(key);
                    if tx.send(Ok(convert::job_to_pb(job))).await.is_err() {
                        return;
                    }
                }
                if done || *stopping.borrow() {
                    return;
                }
                tokio::select! {
                    _ = events.changed() => {}
                    _ = tokio::time::sleep(poll) => {}
                    () = tx.closed() => return,
                    _ = stopping.changed() => return,
                }
                job = match store.get(&tenant, &id).await {
                    Ok(Some(job)) => job,
                    Ok(None) => return,
                    Err(e) => {
                        // The stream ends with the error; the client may watch again.
                        let _ = tx.send(Err(ServiceError::Store(e).into())).await;
                        return;
                    }
                };
            }
        });
        Ok(ReceiverStream::new(rx))
    }
}

#[tonic::async_trait]
impl Prover for ProverService {
    async fn submit_job(
        &self,
        req: Request<pb::SubmitJobRequest>,
    ) -> Result<Response<pb::SubmitJobResponse>, Status> {
        let tenant = tenant(&req)?;
        Ok(Response::new(self.submit(tenant, req.into_inner()).await?))
    }

    async fn get_job(&self, req: Request<pb::GetJobRequest>) -> Result<Response<pb::Job>, Status> {
        let tenant = tenant(&req)?;
        let job = self.job(&tenant, &req.get_ref().job_id).await?;
        Ok(Response::new(convert::job_to_pb(job)))
    }

    type WatchJobStream = ReceiverStream<Result<pb::Job, Status>>;

    async fn watch_job(
        &self,
        req: Request<pb::WatchJobRequest>,
    ) -> Result<Response<Self::WatchJobStream>, Status> {
        let tenant = tenant(&req)?;
        Ok(Response::new(
            self.watch(tenant, req.into_inner().job_id).await?,
        ))
    }

    async fn cancel_job(
        &self,
        req: Request<pb::CancelJobRequest>,
    ) -> Result<Response<pb::Job>, Status> {
        let tenant = tenant(&req)?;
        let id = &req.get_ref().job_id;
        let job = self
            .store
            .cancel(&tenant, id, now_ms())
            .await
            .map_err(ServiceError::from)?
            .ok_or_else(|| ServiceError::NotFound(id.clone()))?;
        tracing::info!(id = %id, state = job.state.as_str(), "cancel requested");
        self.events.bump();
        Ok(Response::new(convert::job_to_pb(job)))
    }

    async fn list_jobs(
        &self,
        req: Request<pb::ListJobsRequest>,
    ) -> Result<Response<pb::ListJobsResponse>, Status> {
        let tenant = tenant(&req)?;
        Ok(Response::new(self.list(tenant, req.into_inner()).await?))
    }

    async fn get_verifying_key(
        &self,
        req: Request<pb::GetVerifyingKeyRequest>,
    ) -> Result<Response<pb::GetVerifyingKeyResponse>, Status> {
        let req = req.into_inner();
        if !matches!(
            pb::StatementKind::try_from(req.statement),
            Ok(pb::StatementKind::Rollup | pb::StatementKind::Unspecified)
        ) {
            return Err(ServiceError::Unsupported {
                what: "statement",
                value: req.statement.to_string(),
            }
            .into());
        }
        let (verifying_key, kzg_params) = match convert::backend_from_pb(req.backend)? {
            Backend::Groth16 => (self.keys.vk_bytes.clone(), Vec::new()),
            Backend::Plonk => {
                let keys = self.plonk.get().await.map_err(ServiceError::from)?;
                (keys.vk_bytes.clone(), keys.kzg_bytes.clone())
            }
        };
        let params = self.keys.params;
        Ok(Response::new(pb::GetVerifyingKeyResponse {
            verifying_key,
            depth: u32::try_from(params.depth()).unwrap_or(u32::MAX),
            batch_size: u32::try_from(params.batch_size()).unwrap_or(u32::MAX),
            kzg_params,
        }))
    }
}
