//! API-key authentication: every Prover RPC names its tenant through the key it presents.
//!
//! Keys are configured as `(tenant, SHA-256 of the key)` pairs, so the server never stores a
//! usable key; a presented key (`authorization: Bearer <key>`) is hashed and compared with
//! every configured digest in constant time. With no keys configured authentication is off and
//! the tenant comes from the `x-bulwark-tenant` entry (or `"default"`); [`super::serve`] allows
//! that only on a loopback address unless told otherwise.

use std::sync::Arc;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tonic::{Request, Status, metadata::MetadataMap};

use super::metrics::Metrics;

/// The metadata entry carrying the API key, as `Bearer <key>`.
pub const AUTHORIZATION_HEADER: &str = "authorization";
/// The metadata entry naming the caller's tenant when authentication is off.
pub const TENANT_HEADER: &str = "x-bulwark-tenant";
const DEFAULT_TENANT: &str = "default";
const MAX_TENANT_LEN: usize = 128;

/// A configured key: the tenant it acts for and the SHA-256 digest of the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiKey {
    /// The tenant requests with this key act for.
    pub tenant: String,
    /// SHA-256 of the key's UTF-8 bytes.
    pub sha256: [u8; 32],
}

/// Why an API-key entry could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ApiKeyError {
    /// Not `tenant:hex` (environment and flags).
    #[error("API key entry {0:?} is not TENANT:SHA256HEX")]
    Entry(String),
    /// The digest is not 64 hexadecimal digits.
    #[error("API key digest for tenant {tenant:?} is not 64 hex digits (SHA-256 of the key)")]
    Digest {
        /// The tenant of the entry.
        tenant: String,
    },
    /// The tenant name is empty, too long or not printable ASCII.
    #[error("invalid tenant name {0:?} (1 to 128 printable ASCII characters)")]
    Tenant(String),
}

impl ApiKey {
    /// An entry from a tenant and the hex SHA-256 digest of its key.
    pub fn from_hex(tenant: &str, sha256_hex: &str) -> Result<Self, ApiKeyError> {
        check_tenant(tenant).map_err(|()| ApiKeyError::Tenant(tenant.to_owned()))?;
        let digest = || ApiKeyError::Digest {
            tenant: tenant.to_owned(),
        };
        let hex = sha256_hex.trim();
        if hex.len() != 64 || !hex.is_ascii() {
            return Err(digest());
        }
        let mut sha256 = [0u8; 32];
        for (byte, pair) in sha256.iter_mut().zip(hex.as_bytes().chunks(2)) {
            let pair = std::str::from_utf8(pair).map_err(|_| digest())?;
            *byte = u8::from_str_radix(pair, 16).map_err(|_| digest())?;
        }
        Ok(Self {
            tenant: tenant.to_owned(),
            sha256,
        })
    }

    /// Parses `tenant:sha256hex` (the `--api-key-sha256` flag and `BULWARK_API_KEYS`).
    pub fn parse_entry(entry: &str) -> Result<Self, ApiKeyError> {
        let (tenant, hex) = entry
            .split_once(':')
            .ok_or_else(|| ApiKeyError::Entry(entry.to_owned()))?;
        Self::from_hex(tenant.trim(), hex)
    }

    /// The entry for a plain key (tests, and `bulwark serve` documentation examples).
    pub fn for_key(tenant: &str, key: &str) -> Result<Self, ApiKeyError> {
        check_tenant(tenant).map_err(|()| ApiKeyError::Tenant(tenant.to_owned()))?;
        Ok(Self {
            tenant: tenant.to_owned(),
            sha256: Sha256::digest(key.as_bytes()).into(),
        })
    }
}

/// The hex SHA-256 of `key`, as an API-key entry stores it.
pub fn hash_api_key(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn check_tenant(tenant: &str) -> Result<(), ()> {
    let ok = !tenant.is_empty()
        && tenant.len() <= MAX_TENANT_LEN
        && tenant.bytes().all(|b| b.is_ascii_graphic());
    if ok { Ok(()) } else { Err(()) }
}

/// The tenant a request acts for, put in the request's extensions by [`Authenticator`].
#[derive(Clone, Debug)]
pub(crate) struct Tenant(pub(crate) String);

/// The interceptor in front of the Prover service.
#[derive(Clone)]
pub(crate) struct Authenticator {
    keys: Arc<[ApiKey]>,
    metrics: Metrics,
}

impl Authenticator {
    pub(crate) fn new(keys: Vec<ApiKey>, metrics: Metrics) -> Self {
        Self {
            keys: keys.into(),
            metrics,
        }
    }

    fn tenant(&self, metadata: &MetadataMap) -> Result<String, Status> {
        if self.keys.is_empty() {
            return header_tenant(metadata);
        }
        let Some(value) = metadata.get(AUTHORIZATION_HEADER) else {
            return Err(Status::unauthenticated(
                "missing API key: send the metadata entry `authorization: Bearer <key>`",
            ));
        };
        let key = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| {
                Status::unauthenticated("malformed authorization entry: expected `Bearer <key>`")
            })?;
        let digest: [u8; 32] = Sha256::digest(key.trim().as_bytes()).into();
        // Every configured digest is compared, in constant time, whatever matches.
        let mut found = None;
        for entry in self.keys.iter() {
            if bool::from(entry.sha256.ct_eq(&digest)) {
                found = Some(&entry.tenant);
            }
        }
        found
            .cloned()
            .ok_or_else(|| Status::unauthenticated("invalid API key"))
    }
}

fn header_tenant(metadata: &MetadataMap) -> Result<String, Status> {
    let Some(value) = metadata.get(TENANT_HEADER) else {
        return Ok(DEFAULT_TENANT.into());
    };
    value
        .to_str()
        .ok()
        .filter(|t| check_tenant(t).is_ok())
        .map(str::to_owned)
        .ok_or_else(|| {
            Status::invalid_argument(format!(
                "invalid {TENANT_HEADER} {value:?} (1 to 128 printable ASCII characters)"
            ))
        })
}

impl tonic::service::Interceptor for Authenticator {
    fn call(&mut self, mut req: Request<()>) -> Result<Request<()>, Status> {
        match self.tenant(req.metadata()) {
            Ok(tenant) => {
                req.extensions_mut().insert(Tenant(tenant));
                Ok(req)
            }
            Err(status) => {
                self.metrics.rejected(match status.code() {
                    tonic::Code::Unauthenticated => "unauthenticated",
                    _ => "invalid_tenant",
                });
                Err(status)
            }
        }
    }
}

/// The tenant [`Authenticator`] attached to `req`.
pub(crate) fn tenant<T>(req: &Request<T>) -> Result<String, Status> {
    req.extensions()
        .get::<Tenant>()
        .map(|t| t.0.clone())
        .ok_or_else(|| Status::internal("request reached the service without authentication"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_parse_and_reject_what_is_wrong() {
        let key = ApiKey::parse_entry(&format!("acme:{}", hash_api_key("s3cret"))).expect("ok");
        assert_eq!(key, ApiKey::for_key("acme", "s3cret").expect("ok"));
        assert!(matches!(
            ApiKey::parse_entry("acme"),
            Err(ApiKeyError::Entry(_))
        ));
        assert!(matches!(
            ApiKey::parse_entry("acme:abcd"),
            Err(ApiKeyError::Digest { .. })
        ));
        assert!(matches!(
            ApiKey::parse_entry(&format!("acme:{}", "zz".repeat(32))),
            Err(ApiKeyError::Digest { .. })
        ));
        assert!(matches!(
            ApiKey::parse_entry(&format!(":{}", hash_api_key("k"))),
            Err(ApiKeyError::Tenant(_))
        ));
    }

    #[test]
    fn a_key_selects_its_tenant_and_a_wrong_or_missing_key_is_unauthenticated() {
        let auth = Authenticator::new(
            vec![
                ApiKey::for_key("a", "key-a").expect("ok"),
                ApiKey::for_key("b", "key-b").expect("ok"),
            ],
            Metrics::new(),
        );
        let with = |value: &str| {
            let mut m = MetadataMap::new();
            m.insert(AUTHORIZATION_HEADER, value.parse().expect("ascii"));
            m
        };
        assert_eq!(auth.tenant(&with("Bearer key-b")).expect("ok"), "b");
        for bad in ["Bearer key-c", "key-a", "Basic key-a"] {
            let err = auth.tenant(&with(bad)).expect_err(bad);
            assert_eq!(err.code(), tonic::Code::Unauthenticated, "{bad}");
        }
        let err = auth.tenant(&MetadataMap::new()).expect_err("missing");
        assert_eq!(err.code(), tonic::Code::Unauthenticated);
    }
}
