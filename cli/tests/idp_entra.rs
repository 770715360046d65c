//! Microsoft Entra ID's provisioning sequence, request shapes as Entra sends them.

mod support;

use serde_json::{Value, json};
use support::TestApp;
use support::scim::{Method, connect, event_count, events_after};

const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const PATCH: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

fn q(filter: &str) -> String {
    url::form_urlencoded::byte_serialize(filter.as_bytes()).collect()
}

fn kinds(evs: &[support::scim::Ev]) -> Vec<&str> {
    evs.iter().map(|e| e.kind.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_user_and_group_lifecycle() {
    let app = TestApp::start().await;
    let s = connect(&app, "Contoso", "entra").await;

    // Test connection: a random GUID that matches nobody must be a 200 with an empty list.
    let probe = format!(
        "/Users?filter={}",
        q("userName eq \"f3b7e2aa-9c6e-4b8e-a8d6-5e4f0c1b2a39\"")
    );
    let (status, empty) = s.send(Method::GET, &probe, None).await;
    assert_eq!(status, 200);
    assert_eq!(empty["totalResults"], 0);
    assert_eq!(empty["Resources"], json!([]));

    // Create: lookup, then POST with nulls, string booleans and stray keys.
    let user_name = "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1@contoso.test";
    let (status, none) = s
        .send(
            Method::GET,
            &format!(
                "/Users?filter={}",
                q(&format!("userName eq \"{user_name}\""))
            ),
            None,
        )
        .await;
    assert_eq!((status, none["totalResults"].as_u64()), (200, Some(0)));
    let (status, user) = s
        .send(
            Method::POST,
            "/Users",
            Some(json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENT],
                "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
                "userName": user_name,
                "active": "True",
                "displayName": null,
                "emails": [{"primary": true, "type": "work", "value": "test.user@contoso.test"}],
                "meta": {"resourceType": "User"},
                "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
                "roles": [],
                ENT: {"employeeNumber": "701984", "department": null}
            })),
        )
        .await;
    assert_eq!(status, 201, "{user}");
    assert_eq!(user["active"], true);
    let uid = user["id"].as_str().unwrap().to_string();
    let user_path = format!("/Users/{uid}");

    // Lookup by userName finds it, case-insensitively, and by externalId.
    for filter in [
        format!("userName eq \"{}\"", user_name.to_uppercase()),
        "externalId eq \"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef\"".to_string(),
    ] {
        let (_, found) = s
            .send(Method::GET, &format!("/Users?filter={}", q(&filter)), None)
            .await;
        assert_eq!(found["totalResults"], 1, "{filter}");
        assert_eq!(found["Resources"][0]["id"], uid.as_str());
    }

    // Updates by PATCH: capitalized ops, value-filter paths, sub-attributes.
    let before = event_count(&app).await;
    let (status, patched) = s
        .send(
            Method::PATCH,
            &user_path,
            Some(json!({"schemas": [PATCH], "Operations": [
                {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "updated@contoso.test"},
                {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"},
                {"op": "Add", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+1 555 0100"}
            ]})),
        )
        .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["emails"][0]["value"], "updated@contoso.test");
    assert_eq!(patched["name"]["familyName"], "updatedFamilyName");
    assert_eq!(
        patched["phoneNumbers"],
        json!([{"type": "mobile", "value": "+1 555 0100"}])
    );
    let evs = events_after(&app, before).await;
    assert_eq!(kinds(&evs), ["user.updated"]);
    assert_eq!(evs[0].previous["last_name"], "familyName");

    // Path-less replace whose keys are paths and URNs, booleans as strings.
    let (status, patched) = s
        .send(
            Method::PATCH,
            &user_path,
            Some(
                json!({"schemas": [PATCH], "Operations": [{"op": "Replace", "value": {
                    "name.givenName": "Bob",
                    format!("{ENT}:department"): "Sales",
                    "displayName": "Bob Updated"
                }}]}),
            ),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(patched["name"]["givenName"], "Bob");
    assert_eq!(patched[ENT]["department"], "Sales");
    assert_eq!(patched[ENT]["employeeNumber"], "701984");

    // Manager as a plain id string.
    let (status, patched) = s
        .send(
            Method::PATCH,
            &user_path,
            Some(json!({"schemas": [PATCH], "Operations": [
                {"op": "Add", "path": format!("{ENT}:manager"), "value": "26118915-6090-4610-87a4-490a90b9ef56"}
            ]})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        patched[ENT]["manager"]["value"],
        "26118915-6090-4610-87a4-490a90b9ef56"
    );

    // Disable with the string "False": one user.deactivated, no user.updated.
    let before = event_count(&app).await;
    let (status, off) = s
        .send(
            Method::PATCH,
            &user_path,
            Some(json!({"schemas": [PATCH], "Operations": [{"op": "Replace", "path": "active", "value": "False"}]})),
        )
        .await;
    assert_eq!((status, off["active"].as_bool()), (200, Some(false)));
    assert_eq!(
        kinds(&events_after(&app, before).await),
        ["user.deactivated"]
    );

    // A PATCH that changes nothing emits nothing.
    let before = event_count(&app).await;
    let (status, _) = s
        .send(
            Method::PATCH,
            &user_path,
            Some(json!({"schemas": [PATCH], "Operations": [{"op": "Replace", "path": "active", "value": false}]})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(event_count(&app).await, before);

    // Groups: create (with Entra's extra schema URN), read without members.
    let (status, group) = s
        .send(
            Method::POST,
            "/Groups",
            Some(json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/Group"],
                "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
                "displayName": "Sales Team",
                "meta": {"resourceType": "Group"}
            })),
        )
        .await;
    assert_eq!(status, 201, "{group}");
    let gid = group["id"].as_str().unwrap().to_string();
    let group_path = format!("/Groups/{gid}");
    let (_, by_name) = s
        .send(
            Method::GET,
            &format!(
                "/Groups?excludedAttributes=members&filter={}",
                q("displayName eq \"sales team\"")
            ),
            None,
        )
        .await;
    assert_eq!(by_name["totalResults"], 1);
    assert!(by_name["Resources"][0].get("members").is_none());

    let membership = format!(
        "/Groups?excludedAttributes=members&filter={}",
        q(&format!("id eq \"{gid}\" and members[value eq \"{uid}\"]"))
    );
    let (_, check) = s.send(Method::GET, &membership, None).await;
    assert_eq!(check["totalResults"], 0, "not a member yet");

    let before = event_count(&app).await;
    let (status, _) = s
        .send(
            Method::PATCH,
            &group_path,
            Some(json!({"schemas": [PATCH], "Operations": [{"op": "Add", "path": "members", "value": [{"$ref": null, "value": uid}]}]})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        kinds(&events_after(&app, before).await),
        ["group.user_added"]
    );
    let (_, check) = s.send(Method::GET, &membership, None).await;
    assert_eq!(check["totalResults"], 1, "member now");
    // Adding the same member again is accepted and emits nothing.
    let before = event_count(&app).await;
    let (status, _) = s
        .send(
            Method::PATCH,
            &group_path,
            Some(json!({"schemas": [PATCH], "Operations": [{"op": "Add", "path": "members", "value": [{"value": uid}]}]})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(event_count(&app).await, before);

    // Rename, then the legacy remove (a value list on `members`).
    let (status, renamed) = s
        .send(
            Method::PATCH,
            &format!("{group_path}?excludedAttributes=members"),
            Some(json!({"schemas": [PATCH], "Operations": [{"op": "Replace", "path": "displayName", "value": "Sales EMEA"}]})),
        )
        .await;
    assert_eq!(
        (status, renamed["displayName"].as_str()),
        (200, Some("Sales EMEA"))
    );
    assert!(renamed.get("members").is_none());
    let before = event_count(&app).await;
    let (status, _) = s
        .send(
            Method::PATCH,
            &group_path,
            Some(json!({"schemas": [PATCH], "Operations": [{"op": "Remove", "path": "members", "value": [{"$ref": null, "value": uid}]}]})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        kinds(&events_after(&app, before).await),
        ["group.user_removed"]
    );

    // Deprovision.
    assert_eq!(s.send(Method::DELETE, &user_path, None).await.0, 204);
    assert_eq!(s.send(Method::DELETE, &group_path, None).await.0, 204);
    let last: Vec<String> = events_after(&app, 0)
        .await
        .iter()
        .rev()
        .take(2)
        .map(|e| e.kind.clone())
        .collect();
    assert_eq!(last, ["group.deleted", "user.deleted"]);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_search_and_filter_grammar_over_http() {
    let app = TestApp::start().await;
    let s = connect(&app, "Contoso", "entra").await;
    for (name, active, title) in [
        ("ann", true, "Engineer"),
        ("ben", false, "Manager"),
        ("cat", true, "Manager"),
    ] {
        let body = json!({"userName": format!("{name}@contoso.test"), "active": active, "title": title,
                          "emails": [{"value": format!("{name}@contoso.test"), "type": "work"}]});
        assert_eq!(s.send(Method::POST, "/Users", Some(body)).await.0, 201);
    }
    let count = |v: &Value| v["totalResults"].as_u64().unwrap();
    let cases = [
        ("userName sw \"a\"", 1),
        ("active eq true", 2),
        ("not (active eq true)", 1),
        ("active eq true and title eq \"manager\"", 1),
        ("title eq \"Manager\" or userName co \"ann\"", 3),
        ("emails[type eq \"work\" and value co \"@contoso\"]", 3),
        ("emails.value ew \"ben@contoso.test\"", 1),
        ("meta.created gt \"2000-01-01T00:00:00Z\"", 3),
        ("title pr and userName ne \"ann@contoso.test\"", 2),
    ];
    for (filter, expected) in cases {
        let (status, list) = s
            .send(Method::GET, &format!("/Users?filter={}", q(filter)), None)
            .await;
        assert_eq!(status, 200, "{filter}: {list}");
        assert_eq!(count(&list), expected, "{filter}");
        let (status, searched) = s
            .send(
                Method::POST,
                "/Users/.search",
                Some(json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": filter, "attributes": ["userName"]})),
            )
            .await;
        assert_eq!(
            (status, count(&searched)),
            (200, expected),
            "search {filter}"
        );
        if expected > 0 {
            assert!(searched["Resources"][0].get("emails").is_none());
        }
    }
    for bad in [
        "userName eq",
        "(active eq true",
        "userName zz \"a\"",
        "active gt true",
    ] {
        let (status, err) = s
            .send(Method::GET, &format!("/Users?filter={}", q(bad)), None)
            .await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(err["scimType"], "invalidFilter", "{bad}");
    }
    app.stop().await;
}
