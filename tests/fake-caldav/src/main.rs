//! The `fake-caldav` binary: serves the fake on 127.0.0.1 until interrupted, after printing
//! `listening on URL` on stdout. See `--help`.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use fake_caldav::{AuthScheme, CalendarSpec, DigestAlgorithm, FakeCalDav, Icloud, Options};

const USAGE: &str = "usage: fake-caldav [--port N] [--user NAME] [--password SECRET]
    [--digest md5|sha-256[,...]] [--no-sync-collection] [--sync-limit N]
    [--icloud-partition HOST] [--calendar NAME[=DISPLAY NAME]]...

Serves one user's calendars from memory on 127.0.0.1 (Basic auth, sync-collection, a
calendar `personal` named \"Personal\" unless --calendar is given). Edit events with PUT and
DELETE like a CalDAV client. --icloud-partition serves the calendar home on http://HOST:PORT/
(e.g. localhost) while 127.0.0.1 answers the principal, as iCloud's partition hosts do.
GET /_admin/requests lists the requests so far as JSON; POST /_admin/expire-nonces and
POST /_admin/expire-sync-tokens make nonces stale and sync tokens invalid.";

struct Args {
    port: u16,
    options: Options,
    calendars: Vec<(String, String)>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let mut parsed = Args {
        port: 0,
        options: Options::default(),
        calendars: Vec::new(),
    };
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or(format!("{name} needs a value"))
        };
        match name.as_str() {
            "--help" | "-h" => return Err(String::new()),
            "--port" => {
                let v = value()?;
                parsed.port = v.parse().map_err(|_| format!("invalid port {v:?}"))?;
            }
            "--user" => parsed.options.username = value()?,
            "--password" => parsed.options.password = value()?,
            "--digest" => {
                let algorithms = value()?
                    .split(',')
                    .map(|a| match a.trim().to_ascii_lowercase().as_str() {
                        "md5" => Ok(DigestAlgorithm::Md5),
                        "sha-256" | "sha256" => Ok(DigestAlgorithm::Sha256),
                        other => Err(format!("unknown Digest algorithm {other:?}")),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                parsed.options.auth = AuthScheme::Digest(algorithms);
            }
            "--no-sync-collection" => parsed.options.sync_collection = false,
            "--sync-limit" => {
                let v = value()?;
                let n: usize = v.parse().map_err(|_| format!("invalid limit {v:?}"))?;
                parsed.options.sync_limit = Some(n.max(1));
            }
            "--icloud-partition" => {
                parsed.options.icloud = Some(Icloud {
                    entry_host: Ipv4Addr::LOCALHOST.to_string(),
                    partition_host: value()?,
                    tls: false,
                })
            }
            "--calendar" => {
                let v = value()?;
                let (id, display) = v.split_once('=').unwrap_or((&v, &v));
                parsed.calendars.push((id.to_owned(), display.to_owned()));
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if parsed.calendars.is_empty() {
        parsed
            .calendars
            .push(("personal".to_owned(), "Personal".to_owned()));
    }
    Ok(parsed)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(err) if err.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(err) => {
            eprintln!("fake-caldav: {err}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    let fake = match FakeCalDav::start_on(addr, args.options).await {
        Ok(fake) => fake,
        Err(err) => {
            eprintln!("fake-caldav: cannot listen on port {}: {err}", args.port);
            return ExitCode::FAILURE;
        }
    };
    for (id, display) in &args.calendars {
        fake.add_calendar(id, CalendarSpec::events(display));
    }
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "listening on {}", fake.url());
    let _ = stdout.flush();
    let _ = tokio::signal::ctrl_c().await;
    fake.shutdown();
    ExitCode::SUCCESS
}
