//! `presently-emulator`: runs the emulator as a server and prints its URLs.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use presently_emulator::{Emulator, EmulatorConfig, Seed};

/// A strict emulator of the Microsoft identity platform and Graph presence, for Presently's tests and demo.
#[derive(Debug, Parser)]
#[command(name = "presently-emulator", version)]
struct Args {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8400)]
    port: u16,
    /// Address to bind. Anything but a loopback address exposes test tokens to the network.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    bind: IpAddr,
    /// Serve https with a certificate signed by a CA generated for this run.
    #[arg(long)]
    tls: bool,
    /// With --tls: write the CA certificate (PEM) to this file so clients can trust it.
    #[arg(long, value_name = "FILE", requires = "tls")]
    ca_out: Option<PathBuf>,
    /// Complete every sign-in at once as USER (UPN or object id; the first user when omitted), without pages.
    #[arg(long, value_name = "USER", num_args = 0..=1, default_missing_value = "")]
    auto_approve: Option<String>,
    /// Load tenants, users, clients and settings from this JSON file instead of the default seed.
    #[arg(long, value_name = "FILE")]
    seed: Option<PathBuf>,
    /// Run the virtual clock this many times faster than real time.
    #[arg(long, default_value_t = 1.0)]
    speed: f64,
    /// End when standard input closes (as well as on Ctrl-C): a parent that holds the other end of the pipe
    /// (`presently-app --demo`) takes the emulator with it however it ends.
    #[arg(long)]
    until_stdin_closes: bool,
}

/// Reads standard input to its end.
async fn stdin_closed() {
    use tokio::io::AsyncReadExt;
    let mut stdin = tokio::io::stdin();
    let mut buf = [0u8; 256];
    while matches!(stdin.read(&mut buf).await, Ok(n) if n > 0) {}
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "presently_emulator=info".into()),
        )
        .init();
    let args = Args::parse();
    let seed = match &args.seed {
        Some(path) => Seed::load(path)?,
        None => Seed::default(),
    };
    if !args.bind.is_loopback() {
        eprintln!(
            "warning: binding {} exposes the emulator beyond this machine",
            args.bind
        );
    }
    let config = EmulatorConfig {
        bind: args.bind,
        port: args.port,
        tls: args.tls,
        ca_out: args.ca_out.clone(),
        seed,
        auto_approve: args
            .auto_approve
            .map(|u| if u.is_empty() { None } else { Some(u) }),
        clock: None,
    };
    let emulator = Emulator::start(config).await.context("starting the emulator")?;
    emulator.clock().set_speed(args.speed).context("--speed")?;
    let base = emulator.base_url().to_string();
    let mut lines = [
        format!("Presently emulator listening on {base}"),
        format!("  what colleagues see:  {base}/"),
        format!("  identity (authority): {base}/organizations"),
        format!("  openid configuration: {base}/organizations/v2.0/.well-known/openid-configuration"),
        format!("  Graph:                {base}/v1.0"),
        format!("  control API:          {base}/_emulator/state"),
    ]
    .join("\n")
        + "\n";
    if let Some(path) = &args.ca_out {
        lines.push_str(&format!("  CA certificate:       {}\n", path.display()));
    }
    // A reader that went away (a parent that read only the first line) must not end the emulator: println!
    // would panic on the closed pipe.
    let mut stdout = std::io::stdout();
    let _ = stdout.write_all(lines.as_bytes()).and_then(|()| stdout.flush());
    if args.until_stdin_closes {
        tokio::select! {
            signal = tokio::signal::ctrl_c() => signal.context("waiting for Ctrl-C")?,
            () = stdin_closed() => {}
        }
    } else {
        tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
    }
    emulator.shutdown().await;
    Ok(())
}
