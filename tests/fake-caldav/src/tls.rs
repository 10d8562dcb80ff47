//! https for iCloud's shape: a listener that completes each TLS handshake (with the committed
//! test certificate for `*.icloud.test`, see `certs/README.md`) before axum serves the
//! connection.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// The certificate a client must trust to talk to the fake over https.
pub const CERTIFICATE_PEM: &str = include_str!("../certs/icloud-test.crt.pem");
const KEY_PEM: &str = include_str!("../certs/icloud-test.key.pem");

/// A handshake that takes longer than this is dropped, so one stuck client cannot hold up the
/// others.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);

/// Accepts TCP connections and hands axum only those whose TLS handshake succeeded.
pub struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
}

impl TlsListener {
    pub fn new(tcp: TcpListener) -> io::Result<TlsListener> {
        let invalid = |e: String| io::Error::new(io::ErrorKind::InvalidData, e);
        let cert = CertificateDer::from_pem_slice(CERTIFICATE_PEM.as_bytes())
            .map_err(|e| invalid(e.to_string()))?;
        let key = PrivateKeyDer::from_pem_slice(KEY_PEM.as_bytes())
            .map_err(|e| invalid(e.to_string()))?;
        let config =
            ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map_err(|e| invalid(e.to_string()))?
                .with_no_client_auth()
                .with_single_cert(vec![cert], key)
                .map_err(|e| invalid(e.to_string()))?;
        Ok(TlsListener {
            tcp,
            acceptor: TlsAcceptor::from(Arc::new(config)),
        })
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let (stream, addr) = match self.tcp.accept().await {
                Ok(accepted) => accepted,
                Err(_) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            if let Ok(Ok(tls)) =
                tokio::time::timeout(HANDSHAKE_TIMEOUT, self.acceptor.accept(stream)).await
            {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}
