//! An optional JSON body: no body (or an empty one) and `null` mean "the defaults"; any other
//! body must be JSON of `T`, refused exactly as `web::Json<T>` refuses it (problem+json, 400 /
//! 413 / 415). actix's own `Option<web::Json<T>>` turns every extraction error into `None`, so
//! a malformed, mistyped or mislabelled body was silently replaced by the defaults.

use actix_web::dev::Payload;
use actix_web::http::header::{CONTENT_LENGTH, TRANSFER_ENCODING};
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

pub struct OptionalJson<T>(pub Option<T>);

impl<T> OptionalJson<T> {
    pub fn into_inner(self) -> Option<T> {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for OptionalJson<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let headers = req.headers();
        let empty = match headers.get(CONTENT_LENGTH) {
            Some(length) => length == "0",
            None => !headers.contains_key(TRANSFER_ENCODING),
        };
        if empty {
            return Box::pin(async { Ok(OptionalJson(None)) });
        }
        let json = web::Json::<Option<T>>::from_request(req, payload);
        Box::pin(async move { Ok(OptionalJson(json.await?.into_inner())) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Body {
        days: Option<u32>,
    }

    async fn extract(req: TestRequest) -> Result<Option<Body>, actix_web::Error> {
        let (req, mut payload) = req.to_http_parts();
        OptionalJson::<Body>::from_request(&req, &mut payload)
            .await
            .map(OptionalJson::into_inner)
    }

    fn json(body: &'static str) -> TestRequest {
        TestRequest::post()
            .insert_header(("content-type", "application/json"))
            .set_payload(body)
    }

    #[actix_web::test]
    async fn no_body_and_null_are_none_anything_else_must_parse() {
        assert_eq!(extract(TestRequest::post()).await.unwrap(), None);
        assert_eq!(extract(json("null")).await.unwrap(), None);
        assert_eq!(
            extract(json(r#"{"days": 3}"#)).await.unwrap(),
            Some(Body { days: Some(3) })
        );
        for bad in [
            r#"{"days": "#,
            r#"{"days": "abc"}"#,
            r#"{"other": 1}"#,
            "[]",
        ] {
            assert!(extract(json(bad)).await.is_err(), "{bad}");
        }
        let text = TestRequest::post()
            .insert_header(("content-type", "text/plain"))
            .set_payload("{}");
        assert!(extract(text).await.is_err());
    }
}
