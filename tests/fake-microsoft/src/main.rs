//! The `fake-microsoft` binary: serves the fake on 127.0.0.1 (admin API under `/_admin`) until
//! interrupted. Usage: `fake-microsoft [--port N]`.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use fake_microsoft::FakeMicrosoft;

fn port_from_args() -> Result<u16, String> {
    let mut args = std::env::args().skip(1);
    let mut port = 0;
    while let Some(arg) = args.next() {
        let value = match arg.strip_prefix("--port=") {
            Some(value) => value.to_owned(),
            None if arg == "--port" => args.next().ok_or("--port needs a value")?,
            None => {
                return Err(format!(
                    "unknown argument {arg:?}; usage: fake-microsoft [--port N]"
                ))
            }
        };
        port = value
            .parse()
            .map_err(|_| format!("invalid port {value:?}"))?;
    }
    Ok(port)
}

#[tokio::main]
async fn main() -> ExitCode {
    let port = match port_from_args() {
        Ok(port) => port,
        Err(err) => {
            eprintln!("fake-microsoft: {err}");
            return ExitCode::from(2);
        }
    };
    let fake = match FakeMicrosoft::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await {
        Ok(fake) => fake,
        Err(err) => {
            eprintln!("fake-microsoft: cannot listen on port {port}: {err}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "listening on {}", fake.base_url());
    let _ = stdout.flush();
    eprintln!(
        "client_id={} auth={} token={} graph={}",
        FakeMicrosoft::CLIENT_ID,
        fake.auth_url(),
        fake.token_url(),
        fake.graph_url()
    );
    let _ = tokio::signal::ctrl_c().await;
    fake.shutdown();
    ExitCode::SUCCESS
}
