//! The dev server's HTTP side (axum): the [`Site`]'s files by request path,
//! the live-reload script and its Server-Sent Events stream.
//!
//! Takes a request; gives the file with its content type, a strong `ETag`
//! (`304` when it matches) and `Cache-Control: no-cache`; `HEAD` gets the
//! same headers without the body; a folder gets its `index.html`; a path
//! without its extension gets its `.html` file, as static hosts answer it,
//! or else, when it names a folder, a redirect to the folder; anything else the site's
//! `404.html` with status 404. Paths are percent-decoded once, and a path
//! with a `.` or `..` segment, a backslash or a NUL is refused (400) before
//! any lookup; files come from memory, never from disk, so nothing outside
//! the site can be reached.
//!
//! [`serve`] accepts the connections itself (HTTP/1 through hyper) so that
//! a client cannot hold the server's file descriptors: at most
//! [`Limits::connections`] are served at once, and one that has not sent a
//! request's headers within [`Limits::header_timeout`] (idle, or stopped
//! mid-line) is closed. A response being sent, such as the endless event
//! stream, is never cut.

use super::site::{Event, Site};
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{self, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::stream::{self, Stream, StreamExt};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Where the reload script and its event stream are served.
pub const LIVE_PREFIX: &str = "/__handbook/";

const LIVE_SCRIPT: &str = include_str!("live.js");

/// What the server allows each connection, so that idle or slow clients
/// cannot hold every file descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How long a connection may take to send a request's headers, and how
    /// long it may stay idle between requests, before it is closed.
    pub header_timeout: Duration,
    /// How many connections are served at once; the next waits for one to
    /// end (in the listener's backlog, holding no descriptor of ours).
    pub connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            connections: 256,
        }
    }
}

/// Serves `router` on `listener` within `limits`, until the runtime stops.
pub async fn serve(listener: TcpListener, router: Router, limits: Limits) {
    let permits = Arc::new(Semaphore::new(limits.connections));
    loop {
        // At the cap, the next connection waits in the backlog (no
        // descriptor of ours) until one ends; timeouts end the idle ones.
        let Ok(permit) = Arc::clone(&permits).acquire_owned().await else {
            return;
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(error) => {
                if !is_connection_error(&error) {
                    // Out of descriptors, say: let some connections end.
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                continue;
            }
        };
        let router = router.clone();
        tokio::spawn(connection(stream, router, limits.header_timeout, permit));
    }
}

/// One connection served to its end; its permit is given back then.
async fn connection(
    stream: TcpStream,
    router: Router,
    header_timeout: Duration,
    _permit: OwnedSemaphorePermit,
) {
    let service = hyper_util::service::TowerToHyperService::new(router);
    let mut builder = hyper::server::conn::http1::Builder::new();
    // The timeout runs while a request's headers are awaited, from the
    // connection's start and between requests, not while a response is sent.
    builder
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(header_timeout);
    let io = hyper_util::rt::TokioIo::new(stream);
    // A client that goes away or times out is no error of the server's.
    let _ = builder.serve_connection(io, service).await;
}

/// An error of the one connection being accepted, not of the listener.
fn is_connection_error(error: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        error.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    )
}

/// The routes: the live-reload endpoints, then every file of the site.
pub fn router(site: Arc<Site>) -> Router {
    Router::new()
        .route("/__handbook/events", get(events))
        .route("/__handbook/live.js", get(script))
        .fallback(file)
        .with_state(site)
}

async fn script() -> Response {
    let mut response = LIVE_SCRIPT.into_response();
    set(
        &mut response,
        header::CONTENT_TYPE,
        "text/javascript; charset=utf-8",
    );
    set(&mut response, header::CACHE_CONTROL, "no-cache");
    response
}

/// The event stream: the problems now, then every event as it comes.
async fn events(
    State(site): State<Arc<Site>>,
) -> Sse<impl Stream<Item = Result<sse::Event, Infallible>>> {
    // Subscribed before the problems are read: nothing falls between.
    let receiver = site.subscribe();
    let first = Event::Problems(site.problems());
    let later = stream::unfold(receiver, |mut receiver| async move {
        use tokio::sync::broadcast::error::RecvError;
        let event = match receiver.recv().await {
            Ok(Event::Stop) | Err(RecvError::Closed) => return None,
            Ok(event) => event,
            // Too far behind to know what changed: reload.
            Err(RecvError::Lagged(_)) => Event::Reload(None),
        };
        Some((event, receiver))
    });
    let all = stream::once(async move { first })
        .chain(later)
        .map(|event| Ok(as_sse(event)));
    Sse::new(all).keep_alive(KeepAlive::default())
}

fn as_sse(event: Event) -> sse::Event {
    match event {
        Event::Reload(pages) => sse::Event::default()
            .event("reload")
            .data(serde_json::to_string(&pages).unwrap_or_else(|_| "null".into())),
        Event::Problems(json) => sse::Event::default().event("problems").data(json),
        Event::Stop => sse::Event::default().event("stop").data(""),
    }
}

/// A file of the site, its folder's index, a redirect or the 404 page.
async fn file(
    State(site): State<Arc<Site>>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if method != Method::GET && method != Method::HEAD {
        let mut response = StatusCode::METHOD_NOT_ALLOWED.into_response();
        set(&mut response, header::ALLOW, "GET, HEAD");
        return response;
    }
    let raw = uri.path();
    let prefix = site.prefix();
    let path = match site_path(&prefix, raw) {
        Ok(path) => path,
        Err(Refused::Outside)
            if format!("{}/", crate::model::path::percent_decode(raw)) == prefix =>
        {
            return redirect(&crate::model::path::href(&prefix));
        }
        Err(Refused::Outside) => return not_found(&site, &method),
        Err(Refused::Bad) => return (StatusCode::BAD_REQUEST, "bad path\n").into_response(),
    };
    if let Some(response) = existing(&site, &path, &headers, &method) {
        return response;
    }
    if path.is_empty() || path.ends_with('/') {
        return not_found(&site, &method);
    }
    // `/latest/protocols` as GitHub Pages and Netlify answer it: the page
    // `protocols.html`, else the folder `protocols/`.
    if let Some(response) = existing(&site, &format!("{path}.html"), &headers, &method) {
        return response;
    }
    if site.has_folder_index(&path) {
        return redirect(&format!("{raw}/"));
    }
    not_found(&site, &method)
}

/// The file at site path `path`, or `304 Not Modified` when the request's
/// `If-None-Match` names its tag; `None` when there is no such file.
fn existing(site: &Site, path: &str, headers: &HeaderMap, method: &Method) -> Option<Response> {
    let served = site.get(path)?;
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|tag| tag.as_bytes() == served.etag.as_bytes())
    {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        set(&mut response, header::ETAG, &served.etag);
        return Some(response);
    }
    Some(send(
        StatusCode::OK,
        path,
        served.bytes,
        Some(&served.etag),
        method,
    ))
}

/// Why a request path names no site path.
#[derive(Debug, PartialEq, Eq)]
enum Refused {
    /// Not under the site's prefix.
    Outside,
    /// A `.`/`..` segment, a backslash, a NUL or bad percent-encoding.
    Bad,
}

/// The site path a request path names: the prefix taken off, decoded once,
/// `index.html` for a folder.
fn site_path(prefix: &str, raw: &str) -> Result<String, Refused> {
    // The prefix is configured decoded (`/über/`), as site paths are.
    let decoded = crate::model::path::percent_decode(raw);
    let decoded = decoded.strip_prefix(prefix).ok_or(Refused::Outside)?;
    let bad = decoded.contains(['\\', '\0'])
        || decoded.contains('\u{FFFD}')
        || decoded.split('/').any(|s| s == ".." || s == ".");
    if bad {
        return Err(Refused::Bad);
    }
    if decoded.is_empty() || decoded.ends_with('/') {
        return Ok(format!("{decoded}index.html"));
    }
    Ok(decoded.to_string())
}

fn not_found(site: &Site, method: &Method) -> Response {
    match site.get("404.html") {
        Some(page) => send(StatusCode::NOT_FOUND, "404.html", page.bytes, None, method),
        None => (StatusCode::NOT_FOUND, "not found\n").into_response(),
    }
}

fn redirect(to: &str) -> Response {
    let mut response = StatusCode::PERMANENT_REDIRECT.into_response();
    set(&mut response, header::LOCATION, to);
    response
}

/// A response with the file's type and validators; `HEAD` gets no body.
fn send(
    status: StatusCode,
    path: &str,
    bytes: bytes::Bytes,
    etag: Option<&str>,
    method: &Method,
) -> Response {
    let length = bytes.len();
    let body = if *method == Method::HEAD {
        Body::empty()
    } else {
        Body::from(bytes)
    };
    let mut response = (status, body).into_response();
    set(&mut response, header::CONTENT_TYPE, &content_type(path));
    set(&mut response, header::CONTENT_LENGTH, &length.to_string());
    set(&mut response, header::CACHE_CONTROL, "no-cache");
    set(&mut response, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    if let Some(etag) = etag {
        set(&mut response, header::ETAG, etag);
    }
    response
}

/// The content type by extension; text types say they are UTF-8.
fn content_type(path: &str) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let text = mime.type_() == "text"
        || matches!(
            mime.subtype().as_str(),
            "javascript" | "json" | "xml" | "svg"
        );
    if text {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    }
}

fn set(response: &mut Response, name: header::HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    /// Reads until `wanted` has come; what came.
    async fn read_until(stream: &mut TcpStream, wanted: &str) -> String {
        let mut seen = Vec::new();
        let mut buffer = [0; 4096];
        while !String::from_utf8_lossy(&seen).contains(wanted) {
            let read = stream.read(&mut buffer).await.expect("read");
            assert!(read > 0, "closed before {wanted:?}");
            seen.extend_from_slice(&buffer[..read]);
        }
        String::from_utf8_lossy(&seen).into_owned()
    }

    #[tokio::test]
    async fn past_the_cap_a_connection_waits_until_one_ends() {
        let site = Arc::new(Site::new("/"));
        site.replace([("index.html".to_string(), "home".into())].into());
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let limits = Limits {
            header_timeout: Duration::from_secs(60),
            connections: 1,
        };
        tokio::spawn(serve(listener, router(site), limits));
        let ask = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        // Answered, and kept alive: it holds the only place.
        let mut first = TcpStream::connect(addr).await.expect("connect");
        first.write_all(ask).await.expect("send");
        read_until(&mut first, "home").await;

        let mut second = TcpStream::connect(addr).await.expect("connect");
        second.write_all(ask).await.expect("send");
        let mut byte = [0; 1];
        let early = tokio::time::timeout(Duration::from_millis(300), second.read(&mut byte));
        assert!(early.await.is_err(), "served past the cap");
        drop(first);
        let answer = tokio::time::timeout(Duration::from_secs(20), read_until(&mut second, "home"));
        assert!(
            answer
                .await
                .expect("served once a place is free")
                .starts_with("HTTP/1.1 200")
        );
    }

    #[test]
    fn site_paths_are_decoded_once_and_folders_get_their_index() {
        assert_eq!(site_path("/", "/a/b.html"), Ok("a/b.html".into()));
        assert_eq!(site_path("/", "/"), Ok("index.html".into()));
        assert_eq!(site_path("/hb/", "/hb/a/"), Ok("a/index.html".into()));
        assert_eq!(
            site_path("/", "/%C3%BCber%20uns.html"),
            Ok("über uns.html".into())
        );
        // Decoded once: `%252e` stays the three characters `%2e`.
        assert_eq!(site_path("/", "/%252e%252e/x"), Ok("%2e%2e/x".into()));
    }

    #[test]
    fn traversal_in_any_spelling_is_refused() {
        for raw in [
            "/../etc/passwd",
            "/a/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc%2Fpasswd",
            "/a/%2e/b",
            "/..%5c..%5cetc",
            "/a%00.html",
        ] {
            assert_eq!(site_path("/", raw), Err(Refused::Bad), "{raw}");
        }
        assert_eq!(site_path("/hb/", "/other/x.html"), Err(Refused::Outside));
    }

    #[test]
    fn content_types_follow_extensions_and_text_is_utf8() {
        assert_eq!(content_type("a/b.html"), "text/html; charset=utf-8");
        assert_eq!(
            content_type("static/handbook.css"),
            "text/css; charset=utf-8"
        );
        assert!(content_type("navigation.js").ends_with("javascript; charset=utf-8"));
        assert_eq!(
            content_type("protocols.json"),
            "application/json; charset=utf-8"
        );
        assert_eq!(content_type("img/logo.png"), "image/png");
        assert_eq!(
            content_type("static/favicon.svg"),
            "image/svg+xml; charset=utf-8"
        );
        assert_eq!(content_type("file.unknownext"), "application/octet-stream");
    }
}
