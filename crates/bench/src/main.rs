//! `presently-bench`: benchmarks that print figures (never timed tests).
//!
//! - `economy --hours N`: requests per hour of the keeper keeping a status for N simulated hours, and the share
//!   of sampled minutes colleagues saw it.

mod economy;

use clap::{Parser, Subcommand};

/// Presently's benchmarks.
#[derive(Debug, Parser)]
#[command(name = "presently-bench", version)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Requests per hour of the keeper over simulated hours with Teams closed ("until I change it").
    Economy {
        /// Simulated hours to run.
        #[arg(long, default_value_t = 72)]
        hours: u64,
    },
}

fn main() -> anyhow::Result<()> {
    match Args::parse().command {
        Command::Economy { hours } => {
            let result = economy::run(hours)?;
            print!("{}", economy::report(&result));
        }
    }
    Ok(())
}
