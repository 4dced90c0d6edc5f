//! A webhook sink for the robot tests: an axum server on 127.0.0.1:0 in the test process that
//! answers like 企业微信 (`/cgi-bin/webhook/send?key=…`) and 钉钉 (`/robot/send?access_token=…`).
//! It checks DingTalk's 加签 itself (HMAC-SHA256 with the secret it was given, over
//! `"{timestamp}\n{secret}"`, base64) and can be told to fail for a while: HTTP 500, or
//! HTTP 200 with an `errcode` other than 0, as the real robots answer a refused message.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How the sink answers now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Accept,
    /// HTTP 500, no body.
    Http500,
    /// HTTP 200 with `{"errcode":45009,"errmsg":"api freq out of limit"}`.
    Refuse,
}

/// A message the sink accepted.
#[derive(Debug, Clone)]
pub struct Accepted {
    /// `wecom` or `dingtalk`.
    pub robot: &'static str,
    /// The robot's key / access token.
    pub token: String,
    pub body: Value,
}

#[derive(Default)]
struct State {
    mode: Option<Mode>,
    accepted: Vec<Accepted>,
    /// Requests answered with a failure (outage, refusal, bad signature).
    failed: usize,
    bad_signatures: usize,
    /// DingTalk access token → its 加签 secret.
    secrets: HashMap<String, String>,
}

#[derive(Clone)]
pub struct RobotSink {
    pub base: String,
    state: Arc<Mutex<State>>,
}

fn sign(secret: &str, timestamp: &str) -> String {
    let mut mac = <Hmac<sha2_hmac::Sha256>>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}\n{secret}").as_bytes());
    BASE64.encode(mac.finalize().into_bytes())
}

impl RobotSink {
    pub async fn start() -> RobotSink {
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let app = axum::Router::new().fallback(
            move |uri: axum::http::Uri,
                  axum::extract::Query(q): axum::extract::Query<HashMap<String, String>>,
                  body: String| {
                let state = shared.clone();
                async move { answer(&state, uri.path(), &q, &body) }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        RobotSink { base, state }
    }

    pub fn wecom_url(&self, key: &str) -> String {
        format!("{}/cgi-bin/webhook/send?key={key}", self.base)
    }

    pub fn dingtalk_url(&self, token: &str) -> String {
        format!("{}/robot/send?access_token={token}", self.base)
    }

    /// Requests to `token` must carry a valid 加签 with `secret`.
    pub fn expect_secret(&self, token: &str, secret: &str) {
        self.state
            .lock()
            .unwrap()
            .secrets
            .insert(token.into(), secret.into());
    }

    pub fn set(&self, mode: Mode) {
        self.state.lock().unwrap().mode = Some(mode);
    }

    pub fn accepted(&self) -> Vec<Accepted> {
        self.state.lock().unwrap().accepted.clone()
    }

    pub fn failed(&self) -> usize {
        self.state.lock().unwrap().failed
    }

    pub fn bad_signatures(&self) -> usize {
        self.state.lock().unwrap().bad_signatures
    }
}

fn answer(
    state: &Mutex<State>,
    path: &str,
    q: &HashMap<String, String>,
    body: &str,
) -> (axum::http::StatusCode, String) {
    use axum::http::StatusCode;
    let mut s = state.lock().unwrap();
    let (robot, token) = match path {
        "/cgi-bin/webhook/send" => ("wecom", q.get("key")),
        "/robot/send" => ("dingtalk", q.get("access_token")),
        _ => return (StatusCode::NOT_FOUND, String::new()),
    };
    let token = token.cloned().unwrap_or_default();
    let refuse = |code: i64, msg: &str| json!({"errcode": code, "errmsg": msg}).to_string();
    match s.mode.unwrap_or(Mode::Accept) {
        Mode::Http500 => {
            s.failed += 1;
            return (StatusCode::INTERNAL_SERVER_ERROR, String::new());
        }
        Mode::Refuse => {
            s.failed += 1;
            return (StatusCode::OK, refuse(45009, "api freq out of limit"));
        }
        Mode::Accept => {}
    }
    if robot == "dingtalk"
        && let Some(secret) = s.secrets.get(&token).cloned()
    {
        let ok = match (q.get("timestamp"), q.get("sign")) {
            (Some(ts), Some(sig)) => sign(&secret, ts) == *sig,
            _ => false,
        };
        if !ok {
            s.failed += 1;
            s.bad_signatures += 1;
            return (StatusCode::OK, refuse(310000, "sign not match"));
        }
    }
    let Ok(body) = serde_json::from_str::<Value>(body) else {
        s.failed += 1;
        return (StatusCode::OK, refuse(40008, "invalid message type"));
    };
    s.accepted.push(Accepted { robot, token, body });
    (StatusCode::OK, refuse(0, "ok"))
}
