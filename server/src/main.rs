//! `longbox`: flags → [`longbox::Config`] → [`longbox::run`].

use clap::Parser;
use longbox::config::{Cli, Command};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,longbox=info".into()),
        )
        .init();
    if let Some(Command::TagArchive {
        file,
        series,
        number,
        data_dir,
    }) = &cli.command
    {
        let store = match longbox::db::Db::open(data_dir) {
            Ok(store) => store,
            Err(e) => {
                eprintln!("error: {e:#}");
                return ExitCode::from(1);
            }
        };
        let xml = match longbox::comic::comicinfo::render(
            None,
            &[("Series", series.clone()), ("Number", number.clone())],
        ) {
            Ok(xml) => xml,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(1);
            }
        };
        return match longbox::comic::archive::write_comic_info(file, Some(&xml), &store, None) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(1)
            }
        };
    }
    if let Some(Command::DemoLibrary { dir }) = cli.command {
        return match longbox::demo::write_demo_library(&dir) {
            Ok(n) => {
                println!("wrote {n} comics to {}", dir.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: cannot write demo library to {}: {e}", dir.display());
                ExitCode::from(1)
            }
        };
    }
    let config = match cli.serve.into_config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Runtime::new().expect("start tokio");
    match runtime.block_on(longbox::run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
