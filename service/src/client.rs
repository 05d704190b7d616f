//! A typed client of `bulwark.prover.v1.Prover`.

use bulwark_proto::v1::{self as pb, prover_client::ProverClient};
use tonic::{
    Request, Status, Streaming,
    metadata::{AsciiMetadataValue, errors::InvalidMetadataValue},
    transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity},
};

use crate::backend::Backend;
use crate::server::{AUTHORIZATION_HEADER, TENANT_HEADER};

/// Why a client call failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server could not be reached.
    #[error("connecting to {addr}: {source}")]
    Connect {
        /// The address dialled.
        addr: String,
        /// The transport error.
        source: tonic::transport::Error,
    },
    /// The tenant name cannot travel as gRPC metadata.
    #[error("invalid tenant {tenant:?}: {source}")]
    Tenant {
        /// The tenant.
        tenant: String,
        /// Why.
        source: InvalidMetadataValue,
    },
    /// The API key cannot travel as gRPC metadata.
    #[error("invalid API key: {0}")]
    ApiKey(InvalidMetadataValue),
    /// The server address is not a valid URI, or the TLS settings were rejected.
    #[error("server address {addr}: {source}")]
    Endpoint {
        /// The address.
        addr: String,
        /// The transport error.
        source: tonic::transport::Error,
    },
    /// The server answered with an error.
    #[error("{} ({:?})", .0.message(), .0.code())]
    Rpc(Status),
    /// A watch ended before the job finished.
    #[error("watch of job {0} ended before the job finished")]
    WatchEnded(String),
}

impl From<Status> for ClientError {
    fn from(status: Status) -> Self {
        Self::Rpc(status)
    }
}

/// Options of [`Client::submit_rollup`].
#[derive(Clone, Debug, Default)]
pub struct SubmitOptions {
    /// A retried submission with the same key returns the same job.
    pub idempotency_key: Option<String>,
    /// Higher runs first.
    pub priority: i32,
    /// No stage starts after this Unix time (ms).
    pub deadline_unix_ms: Option<u64>,
    /// The proof system (default Groth16).
    pub backend: Backend,
}

/// TLS settings of [`Client::connect_tls`] (PEM contents, not paths).
#[derive(Clone, Debug, Default)]
pub struct ClientTls {
    /// The CA that signed the server's certificate; `None`: the platform's roots are not
    /// loaded, so set it unless the server's certificate is signed by one given here.
    pub ca_pem: Option<Vec<u8>>,
    /// The client's certificate chain and key, for servers that require mTLS.
    pub identity_pem: Option<(Vec<u8>, Vec<u8>)>,
    /// The name to check the server's certificate against; default: the address's host.
    pub domain: Option<String>,
}

/// A connection to a bulwark prover service, acting for one tenant.
#[derive(Clone, Debug)]
pub struct Client {
    inner: ProverClient<Channel>,
    tenant: Option<AsciiMetadataValue>,
    api_key: Option<AsciiMetadataValue>,
}

impl Client {
    /// Connects to `addr` (`http://host:port`) in plaintext.
    pub async fn connect(addr: impl Into<String>) -> Result<Self, ClientError> {
        Self::connect_with(addr.into(), None).await
    }

    /// Connects to `addr` (`https://host:port`) over TLS.
    pub async fn connect_tls(addr: impl Into<String>, tls: ClientTls) -> Result<Self, ClientError> {
        Self::connect_with(addr.into(), Some(tls)).await
    }

    async fn connect_with(addr: String, tls: Option<ClientTls>) -> Result<Self, ClientError> {
        let endpoint_error = |source| ClientError::Endpoint {
            addr: addr.clone(),
            source,
        };
        let mut endpoint = Endpoint::from_shared(addr.clone()).map_err(endpoint_error)?;
        if let Some(tls) = tls {
            let mut config = ClientTlsConfig::new();
            if let Some(ca) = tls.ca_pem {
                config = config.ca_certificate(Certificate::from_pem(ca));
            }
            if let Some((cert, key)) = tls.identity_pem {
                config = config.identity(Identity::from_pem(cert, key));
            }
            if let Some(domain) = tls.domain {
                config = config.domain_name(domain);
            }
            endpoint = endpoint.tls_config(config).map_err(endpoint_error)?;
        }
        let channel = endpoint
            .connect()
            .await
            .map_err(|source| ClientError::Connect {
                addr: addr.clone(),
                source,
            })?;
        Ok(Self {
            inner: ProverClient::new(channel)
                .max_decoding_message_size(usize::MAX)
                .max_encoding_message_size(usize::MAX),
            tenant: None,
            api_key: None,
        })
    }

    /// Authenticates with `key` (sent as `authorization: Bearer <key>`); the key decides the
    /// tenant.
    pub fn with_api_key(mut self, key: &str) -> Result<Self, ClientError> {
        let mut value: AsciiMetadataValue = format!("Bearer {key}")
            .parse()
            .map_err(ClientError::ApiKey)?;
        value.set_sensitive(true);
        self.api_key = Some(value);
        Ok(self)
    }

    /// Acts for `tenant` (sent as the `x-bulwark-tenant` metadata entry; servers with API
    /// keys ignore it).
    pub fn with_tenant(mut self, tenant: &str) -> Result<Self, ClientError> {
        let value = tenant.parse().map_err(|source| ClientError::Tenant {
            tenant: tenant.to_owned(),
            source,
        })?;
        self.tenant = Some(value);
        Ok(self)
    }

    fn request<T>(&self, message: T) -> Request<T> {
        let mut req = Request::new(message);
        if let Some(tenant) = &self.tenant {
            req.metadata_mut().insert(TENANT_HEADER, tenant.clone());
        }
        if let Some(key) = &self.api_key {
            req.metadata_mut().insert(AUTHORIZATION_HEADER, key.clone());
        }
        req
    }

    /// Submits a rollup batch (the state and batch JSON documents) for a proof with
    /// `options.backend`.
    pub async fn submit_rollup(
        &mut self,
        state_json: String,
        batch_json: String,
        options: SubmitOptions,
    ) -> Result<pb::SubmitJobResponse, ClientError> {
        let req = self.request(pb::SubmitJobRequest {
            statement: pb::StatementKind::Rollup as i32,
            backend: options.backend.to_pb() as i32,
            witness: Some(pb::submit_job_request::Witness::Rollup(pb::RollupWitness {
                state_json,
                batch_json,
            })),
            idempotency_key: options.idempotency_key.unwrap_or_default(),
            priority: options.priority,
            deadline_unix_ms: options.deadline_unix_ms,
        });
        Ok(self.inner.submit_job(req).await?.into_inner())
    }

    /// One job, with its proof when it succeeded.
    pub async fn get(&mut self, job_id: &str) -> Result<pb::Job, ClientError> {
        let req = self.request(pb::GetJobRequest {
            job_id: job_id.into(),
        });
        Ok(self.inner.get_job(req).await?.into_inner())
    }

    /// The job now and at every change until it finishes.
    pub async fn watch(&mut self, job_id: &str) -> Result<Streaming<pb::Job>, ClientError> {
        let req = self.request(pb::WatchJobRequest {
            job_id: job_id.into(),
        });
        Ok(self.inner.watch_job(req).await?.into_inner())
    }

    /// Watches until the job is finished and returns it as finished, calling `on_update`
    /// with every change.
    pub async fn wait(
        &mut self,
        job_id: &str,
        mut on_update: impl FnMut(&pb::Job),
    ) -> Result<pb::Job, ClientError> {
        let mut stream = self.watch(job_id).await?;
        while let Some(job) = stream.message().await? {
            on_update(&job);
            if is_terminal(job.state()) {
                return Ok(job);
            }
        }
        Err(ClientError::WatchEnded(job_id.to_owned()))
    }

    /// Cancels a job; returns it as it is after the request.
    pub async fn cancel(&mut self, job_id: &str) -> Result<pb::Job, ClientError> {
        let req = self.request(pb::CancelJobRequest {
            job_id: job_id.into(),
        });
        Ok(self.inner.cancel_job(req).await?.into_inner())
    }

    /// One page of the tenant's jobs, newest first.
    pub async fn list(
        &mut self,
        state: Option<pb::JobState>,
        page_size: u32,
        page_token: String,
    ) -> Result<pb::ListJobsResponse, ClientError> {
        let req = self.request(pb::ListJobsRequest {
            state: state.unwrap_or(pb::JobState::Unspecified) as i32,
            page_size,
            page_token,
        });
        Ok(self.inner.list_jobs(req).await?.into_inner())
    }

    /// The server's rollup Groth16 verifying key and the shape it is for.
    pub async fn verifying_key(&mut self) -> Result<pb::GetVerifyingKeyResponse, ClientError> {
        self.verifying_key_for(Backend::Groth16).await
    }

    /// The rollup verifying key of `backend` (for PLONK with its KZG parameters; the server
    /// makes the PLONK keys on first use, so the first call may take a while).
    pub async fn verifying_key_for(
        &mut self,
        backend: Backend,
    ) -> Result<pb::GetVerifyingKeyResponse, ClientError> {
        let req = self.request(pb::GetVerifyingKeyRequest {
            statement: pb::StatementKind::Rollup as i32,
            backend: backend.to_pb() as i32,
        });
        Ok(self.inner.get_verifying_key(req).await?.into_inner())
    }
}

/// Succeeded, failed or cancelled.
pub fn is_terminal(state: pb::JobState) -> bool {
    matches!(
        state,
        pb::JobState::Succeeded | pb::JobState::Failed | pb::JobState::Cancelled
    )
}
