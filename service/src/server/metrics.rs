//! Prometheus metrics, served as text on `GET /metrics` over plain HTTP/1.1.
//!
//! Queue depth and running jobs are read from the store at scrape time, so they count the
//! jobs of every process sharing the store; the histograms and counters are this process's.

use std::{convert::Infallible, sync::Arc, time::Duration};

use http_body_util::Full;
use hyper::{Method, Response, StatusCode, body::Bytes, service::service_fn};
use hyper_util::rt::TokioIo;
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};
use tokio::{net::TcpListener, sync::watch};

use crate::store::{JobStore, Stage};

/// Histogram buckets for proving work, in seconds (10 ms to about 20 minutes).
const SECONDS_BUCKETS: [f64; 14] = [
    0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 1200.0,
];

struct Inner {
    registry: Registry,
    queued: IntGauge,
    running: IntGauge,
    stage_seconds: HistogramVec,
    msm_seconds: Histogram,
    failures: IntCounterVec,
    finished: IntCounterVec,
    rejected: IntCounterVec,
}

/// The service's metrics (clones share them).
#[derive(Clone)]
pub struct Metrics(Arc<Inner>);

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh registry with every bulwark metric registered.
    ///
    /// # Panics
    /// Never: the metric names and labels below are valid and distinct (checked by the tests).
    pub fn new() -> Self {
        let registry = Registry::new();
        let seconds = |name: &str, help: &str| {
            HistogramOpts::new(name, help).buckets(SECONDS_BUCKETS.to_vec())
        };
        let inner = Inner {
            queued: IntGauge::new("bulwark_jobs_queued", "Jobs waiting for a worker")
                .expect("valid metric"),
            running: IntGauge::new("bulwark_jobs_running", "Jobs claimed by a worker")
                .expect("valid metric"),
            stage_seconds: HistogramVec::new(
                seconds(
                    "bulwark_stage_seconds",
                    "Wall time of each proving stage (check, witness, prove)",
                ),
                &["stage"],
            )
            .expect("valid metric"),
            msm_seconds: Histogram::with_opts(seconds(
                "bulwark_msm_seconds",
                "Wall time of one proof's multi-scalar multiplications",
            ))
            .expect("valid metric"),
            failures: IntCounterVec::new(
                Opts::new(
                    "bulwark_job_failures_total",
                    "Failed job attempts by reason",
                ),
                &["reason"],
            )
            .expect("valid metric"),
            finished: IntCounterVec::new(
                Opts::new(
                    "bulwark_jobs_finished_total",
                    "Jobs this process finished, by outcome",
                ),
                &["outcome"],
            )
            .expect("valid metric"),
            rejected: IntCounterVec::new(
                Opts::new(
                    "bulwark_requests_rejected_total",
                    "Requests refused before reaching the queue, by reason",
                ),
                &["reason"],
            )
            .expect("valid metric"),
            registry,
        };
        for collector in [
            Box::new(inner.queued.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(inner.running.clone()),
            Box::new(inner.stage_seconds.clone()),
            Box::new(inner.msm_seconds.clone()),
            Box::new(inner.failures.clone()),
            Box::new(inner.finished.clone()),
            Box::new(inner.rejected.clone()),
        ] {
            inner
                .registry
                .register(collector)
                .expect("distinct metric names");
        }
        Self(Arc::new(inner))
    }

    /// Records the wall time of one stage.
    pub(crate) fn stage(&self, stage: Stage, seconds: f64) {
        self.0
            .stage_seconds
            .with_label_values(&[stage.as_str()])
            .observe(seconds);
    }

    /// Records one proof's MSM wall time.
    pub(crate) fn msm(&self, took: Duration) {
        self.0.msm_seconds.observe(took.as_secs_f64());
    }

    /// Counts a failed attempt.
    pub(crate) fn failure(&self, reason: &str) {
        self.0.failures.with_label_values(&[reason]).inc();
    }

    /// Counts a job this process finished (`succeeded`, `failed`, `cancelled`, `discarded`).
    pub(crate) fn finished(&self, outcome: &str) {
        self.0.finished.with_label_values(&[outcome]).inc();
    }

    /// Counts a refused request.
    pub(crate) fn rejected(&self, reason: &str) {
        self.0.rejected.with_label_values(&[reason]).inc();
    }

    /// The metrics in Prometheus' text format, with the queue gauges read from `store`.
    pub async fn render(&self, store: &dyn JobStore) -> String {
        match store.counts(None).await {
            Ok(counts) => {
                self.0.queued.set(to_i64(counts.queued));
                self.0.running.set(to_i64(counts.running));
            }
            Err(e) => tracing::warn!(error = %e, "metrics: counting jobs failed"),
        }
        let mut out = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.0.registry.gather(), &mut out) {
            tracing::error!(error = %e, "metrics: encoding failed");
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Serves `GET /metrics` on `listener` until `stop` turns true.
pub(crate) async fn serve_metrics(
    listener: TcpListener,
    metrics: Metrics,
    store: Arc<dyn JobStore>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    tracing::warn!(error = %e, "metrics: accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = stop.changed() => return,
        };
        let (metrics, store) = (metrics.clone(), store.clone());
        tokio::spawn(async move {
            let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                let (metrics, store) = (metrics.clone(), store.clone());
                async move {
                    let (status, body) = if req.method() != Method::GET {
                        (StatusCode::METHOD_NOT_ALLOWED, String::from("GET only\n"))
                    } else if req.uri().path() != "/metrics" {
                        (StatusCode::NOT_FOUND, String::from("see /metrics\n"))
                    } else {
                        (StatusCode::OK, metrics.render(store.as_ref()).await)
                    };
                    let mut response = Response::new(Full::new(Bytes::from(body)));
                    *response.status_mut() = status;
                    response.headers_mut().insert(
                        hyper::header::CONTENT_TYPE,
                        hyper::header::HeaderValue::from_static(
                            "text/plain; version=0.0.4; charset=utf-8",
                        ),
                    );
                    Ok::<_, Infallible>(response)
                }
            });
            if let Err(e) = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!(error = %e, "metrics connection ended with an error");
            }
        });
    }
}
