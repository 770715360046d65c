//! The admin SPA at `/admin`: static files from `admin_dir`, every unknown path answered with
//! `index.html` (client-side routing), strict security headers. No CDN is involved.

use actix_files::{Files, NamedFile};
use actix_web::dev::{ServiceRequest, ServiceResponse, fn_service};
use actix_web::middleware::DefaultHeaders;
use actix_web::{HttpRequest, HttpResponse, web};
use std::path::{Path, PathBuf};

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/// The app-wide headers (`security.rs`) plus the UI's content policy; the UI may be cached
/// but is revalidated (ETag) on each load, so a new build shows at once.
fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("Content-Security-Policy", CSP))
        .add(("Cache-Control", "no-cache"))
}

pub fn configure(cfg: &mut web::ServiceConfig, admin_dir: &Path) {
    cfg.route(
        "/",
        web::get().to(|| async {
            HttpResponse::Found()
                .insert_header(("Location", "/admin/"))
                .finish()
        }),
    );
    let index = admin_dir.join("index.html");
    if !index.is_file() {
        let dir = admin_dir.display().to_string();
        cfg.service(
            web::scope("/admin")
                .wrap(security_headers())
                .default_service(web::to(move || {
                    let dir = dir.clone();
                    async move {
                        HttpResponse::ServiceUnavailable()
                            .content_type("text/plain; charset=utf-8")
                            .body(format!(
                                "The admin UI is not built ({dir}/index.html is missing).\n\
                             Build it with `make run`, or `npm ci && npm run build` in web-admin/."
                            ))
                    }
                })),
        );
        return;
    }
    let index: PathBuf = index;
    let setup_index = index.clone();
    cfg.service(
        web::scope("/admin")
            .wrap(security_headers())
            // A setup link carries its token in the path: answered here, not by the file
            // service, which logs the path of every file it does not find.
            .route(
                "/setup/{token}",
                web::get().to(move |req: HttpRequest| {
                    let index = setup_index.clone();
                    async move { NamedFile::open(&index).map(|file| file.into_response(&req)) }
                }),
            )
            .service(
                Files::new("/", admin_dir)
                    .index_file("index.html")
                    .default_handler(fn_service(move |req: ServiceRequest| {
                        let index = index.clone();
                        async move {
                            let (req, _) = req.into_parts();
                            let file = NamedFile::open(&index)?;
                            let res = file.into_response(&req);
                            Ok::<_, actix_web::Error>(ServiceResponse::new(req, res))
                        }
                    })),
            ),
    );
}
