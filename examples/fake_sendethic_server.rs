//! Runs `FakeSendethic` as a separate process, so that a client (for example the `lists`
//! example) can be measured on its own: the fake keeps every contact (and every request
//! body) in memory, which would dominate the figures of an in-process run.
//!
//! ```text
//! cargo run --release --example fake_sendethic_server
//! ```
//!
//! It prints three lines to stdout, ready for `export`:
//!
//! ```text
//! SENDETHIC_BASE_URL=http://127.0.0.1:<port>/api/rest/v4/
//! SENDETHIC_ACCOUNT=12345
//! SENDETHIC_API_KEY=test-api-key
//! ```
//!
//! (the fake's default credentials), then serves until it is killed or its stdin closes.
//! Plain `http` is accepted by the client because the fake listens on loopback.

use std::io::{Read, Write};

use relance::testing::FakeSendethic;

/// What `--help` prints.
const USAGE: &str = "fake_sendethic_server: the Sendethic fake in its own process; prints the three environment lines a client needs and runs until its standard input closes.\n\nusage: cargo run --release --example fake_sendethic_server";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().skip(1).any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return Ok(());
    }
    let fake = FakeSendethic::start().await;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "SENDETHIC_BASE_URL={}", fake.base_url())?;
        writeln!(out, "SENDETHIC_ACCOUNT=12345")?;
        writeln!(out, "SENDETHIC_API_KEY=test-api-key")?;
        out.flush()?;
    }
    // Serve until stdin reaches its end (or the process is killed).
    tokio::task::spawn_blocking(|| {
        let mut sink = [0u8; 1024];
        let mut stdin = std::io::stdin();
        while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
    })
    .await?;
    eprintln!(
        "stdin closed; {} contacts stored; stopping",
        fake.contact_count()
    );
    Ok(())
}
