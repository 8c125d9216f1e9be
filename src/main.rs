//! Entry point: parse the command line, load settings, then serve or run a subcommand.

use clap::Parser;
use hazardline::{cli::Cli, cli::Command, seed, startup::Application, telemetry};

#[actix_web::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("hazardline: {e:#}");
        std::process::exit(1);
    }
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = match cli.settings() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("hazardline: configuration error: {e:#}");
            std::process::exit(2);
        }
    };
    telemetry::init(&settings.log);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings).await,
        other => hazardline::cli::run_command(other, settings).await,
    }
}

async fn serve(settings: hazardline::config::Settings) -> anyhow::Result<()> {
    let seed_demo = settings.app.seed_demo;
    let app = Application::build(settings).await?;
    if seed_demo {
        seed::seed_demo(app.state()).await?;
    }
    let base = format!("http://{}:{}", app.state().settings().server.host, app.port());
    println!("hazardline listening on {base}");
    println!("  web pages:  {base}/   (login, the resident's chat, my tickets)");
    println!("  API docs:   {base}/api/docs   (OpenAPI: {base}/api/openapi.json)");
    println!("  health:     {base}/healthz  {base}/readyz  {base}/metrics");
    if seed_demo {
        seed::print_logins();
    }
    app.run_until_stopped().await?;
    tracing::info!("stopped");
    Ok(())
}
