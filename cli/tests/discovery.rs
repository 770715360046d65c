//! Discovery endpoints and attribute projection, as IdPs use them.

mod support;

use serde_json::{Value, json};
use support::TestApp;
use support::scim::{Method, connect};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_documents_are_truthful_and_read_only() {
    let app = TestApp::start().await;
    let s = connect(&app, "Acme", "okta").await;

    let (status, spc) = s.send(Method::GET, "/ServiceProviderConfig", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        spc["schemas"][0],
        "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
    );
    assert_eq!(spc["etag"]["supported"], true);
    assert_eq!(spc["filter"]["maxResults"], 1000);
    assert_eq!(spc["bulk"]["supported"], true);
    assert_eq!(spc["authenticationSchemes"][0]["type"], "oauthbearertoken");
    assert!(
        spc["meta"]["location"]
            .as_str()
            .unwrap()
            .starts_with(&s.base)
    );

    let (status, types) = s.send(Method::GET, "/ResourceTypes", None).await;
    assert_eq!(status, 200);
    assert_eq!(types["totalResults"], 2);
    assert_eq!(types["Resources"].as_array().unwrap().len(), 2);
    let (status, user_type) = s.send(Method::GET, "/ResourceTypes/User", None).await;
    assert_eq!(status, 200);
    assert_eq!(user_type["endpoint"], "/Users");
    assert_eq!(user_type["schemaExtensions"][0]["schema"], ENTERPRISE);

    let (status, schemas) = s.send(Method::GET, "/Schemas", None).await;
    assert_eq!(status, 200);
    assert_eq!(schemas["totalResults"], 3);
    let (status, user_schema) = s
        .send(
            Method::GET,
            "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
            None,
        )
        .await;
    assert_eq!(status, 200);
    let user_name = user_schema["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "userName")
        .unwrap();
    assert_eq!(user_name["uniqueness"], "server");
    assert_eq!(user_name["caseExact"], false);
    assert_eq!(user_name["required"], true);

    for path in ["/ResourceTypes/Device", "/Schemas/urn:nope"] {
        let (status, body) = s.send(Method::GET, path, None).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(body["status"], "404");
    }
    for (method, path) in [
        (Method::POST, "/Schemas"),
        (Method::PUT, "/ServiceProviderConfig"),
        (Method::DELETE, "/ResourceTypes/User"),
        (
            Method::PATCH,
            "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
        ),
    ] {
        let (status, body) = s.send(method.clone(), path, Some(json!({}))).await;
        assert_eq!(status, 405, "{method} {path}");
        assert_eq!(body["status"], "405", "{method} {path}: a SCIM error body");
    }
    let res = app
        .http
        .get(format!("{}/ServiceProviderConfig", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    app.stop().await;
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attributes_and_excluded_attributes_shape_every_response() {
    let app = TestApp::start().await;
    let s = connect(&app, "Acme", "entra").await;
    let body = json!({
        "userName": "ada", "password": "hunter2!",
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"value": "ada@x.test", "primary": true}],
        ENTERPRISE: {"department": "R&D", "costCenter": "42"}
    });
    let (status, created) = s
        .send(Method::POST, "/Users?attributes=userName", Some(body))
        .await;
    assert_eq!(status, 201);
    assert_eq!(keys(&created), ["id", "schemas", "userName"]);
    let id = created["id"].as_str().unwrap().to_string();

    let (_, full) = s.send(Method::GET, &format!("/Users/{id}"), None).await;
    assert!(full.get("password").is_none(), "password is never returned");
    assert_eq!(full[ENTERPRISE]["department"], "R&D");

    let (_, some) = s
        .send(
            Method::GET,
            &format!("/Users/{id}?attributes=name.givenName,{ENTERPRISE}:department"),
            None,
        )
        .await;
    assert_eq!(some["name"], json!({"givenName": "Ada"}));
    assert_eq!(some[ENTERPRISE], json!({"department": "R&D"}));
    assert!(some.get("emails").is_none());

    let (_, fewer) = s
        .send(
            Method::GET,
            &format!("/Users/{id}?excludedAttributes=emails,name"),
            None,
        )
        .await;
    assert!(fewer.get("emails").is_none() && fewer.get("name").is_none());
    assert_eq!(fewer["userName"], "ada");
    assert_eq!(fewer["id"], id.as_str(), "id is always returned");

    let (status, err) = s
        .send(Method::GET, &format!("/Users/{id}?attributes=a.b.c"), None)
        .await;
    assert_eq!(status, 400);
    assert_eq!(err["scimType"], "invalidPath");

    // Entra reads groups without their members.
    let (_, group) = s
        .send(
            Method::POST,
            "/Groups",
            Some(json!({"displayName": "Eng", "members": [{"value": id}]})),
        )
        .await;
    let gid = group["id"].as_str().unwrap();
    let (status, slim) = s
        .send(
            Method::GET,
            &format!("/Groups/{gid}?excludedAttributes=members"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert!(slim.get("members").is_none());
    assert_eq!(slim["displayName"], "Eng");
    let (_, with) = s.send(Method::GET, &format!("/Groups/{gid}"), None).await;
    assert_eq!(with["members"][0]["value"], id.as_str());
    app.stop().await;
}
