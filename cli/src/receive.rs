//! `roster receive`: a local webhook receiver that verifies every delivery's Standard Webhooks
//! signature and prints it — the quickest way to watch Roster work.

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use roster_domain::signing;

#[derive(clap::Args)]
pub struct ReceiveArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:9000")]
    listen: String,
    /// The endpoint's signing secret (whsec_…). Also ROSTER_WEBHOOK_SECRET.
    #[arg(long, env = "ROSTER_WEBHOOK_SECRET")]
    secret: String,
}

struct Receiver {
    secret: String,
    json: bool,
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> &'a str {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

async fn receive(req: HttpRequest, body: web::Bytes, rx: web::Data<Receiver>) -> HttpResponse {
    let id = header(&req, "webhook-id");
    let ts = header(&req, "webhook-timestamp")
        .parse::<i64>()
        .unwrap_or(0);
    let sig = header(&req, "webhook-signature");
    let now = chrono::Utc::now().timestamp();
    let verdict = signing::verify(
        &rx.secret,
        id,
        ts,
        sig,
        &body,
        now,
        signing::DEFAULT_TOLERANCE_SECS,
    );
    let event: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    if rx.json {
        let line =
            serde_json::json!({"verified": verdict.is_ok(), "webhook_id": id, "event": event});
        println!("{line}");
    } else {
        match &verdict {
            Ok(()) => println!(
                "verified {} {} (tenant {}, connection {}, sequence {})\n{}",
                event["type"].as_str().unwrap_or("?"),
                id,
                event["tenant_id"].as_str().unwrap_or("-"),
                event["connection_id"].as_str().unwrap_or("-"),
                event["sequence"],
                serde_json::to_string_pretty(&event["data"]).unwrap_or_default(),
            ),
            Err(e) => println!("REJECTED {id}: {e}"),
        }
    }
    match verdict {
        Ok(()) => HttpResponse::NoContent().finish(),
        Err(e) => HttpResponse::Unauthorized().body(e.to_string()),
    }
}

pub fn run(args: ReceiveArgs, json: bool) -> anyhow::Result<()> {
    if !args.secret.starts_with(signing::SECRET_PREFIX) {
        anyhow::bail!("--secret must be the endpoint's whsec_… secret");
    }
    let state = web::Data::new(Receiver {
        secret: args.secret,
        json,
    });
    eprintln!("listening on http://{} for webhooks", args.listen);
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .default_service(web::post().to(receive))
        })
        .workers(1)
        .bind(&args.listen)?
        .run()
        .await
    })?;
    Ok(())
}
