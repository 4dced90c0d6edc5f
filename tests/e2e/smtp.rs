//! A real SMTP server on loopback for the mail tests, embedded in the test process: plain
//! SMTP (RFC 5321 without extensions) on `std` threads, keeping every accepted message in
//! memory. It can be stopped (the port then refuses connections and open sessions are cut,
//! as when a relay goes down) and started again on the same port. Nothing but Rust is
//! needed to run the mail tests.

use mail_parser::MessageParser;
use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub struct SmtpSink {
    pub port: u16,
    shared: Arc<Shared>,
    running: Option<Running>,
}

#[derive(Default)]
struct Shared {
    /// Raw messages (after dot-unstuffing), in the order the server accepted them.
    messages: Mutex<Vec<Vec<u8>>>,
    /// Open sessions, so `down` can cut them.
    sessions: Mutex<Vec<TcpStream>>,
}

struct Running {
    stop: Arc<AtomicBool>,
    acceptor: JoinHandle<()>,
}

/// One received message, decoded.
#[derive(Debug, Clone)]
pub struct Received {
    pub message_id: String,
    pub subject: String,
    pub from: String,
    pub from_name: String,
    pub to: Vec<String>,
    pub text: String,
    pub html: String,
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    l.local_addr().expect("addr").port()
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        let mut sink = SmtpSink {
            port: free_port(),
            shared: Arc::default(),
            running: None,
        };
        sink.up();
        sink
    }

    /// Start the server (again) on the same port; it accepts connections on return.
    pub fn up(&mut self) {
        assert!(self.running.is_none(), "already running");
        let deadline = Instant::now() + Duration::from_secs(20);
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", self.port)) {
                Ok(l) => break l,
                Err(e) => {
                    assert!(Instant::now() < deadline, "SMTP sink cannot bind: {e}");
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        };
        listener
            .set_nonblocking(true)
            .expect("nonblocking listener");
        let stop = Arc::new(AtomicBool::new(false));
        let acceptor = {
            let stop = stop.clone();
            let shared = self.shared.clone();
            std::thread::spawn(move || accept_loop(&listener, &stop, &shared))
        };
        self.running = Some(Running { stop, acceptor });
    }

    /// Stop the server: connections to the port are refused until [`SmtpSink::up`], and
    /// sessions in progress are cut.
    pub fn down(&mut self) {
        self.stop();
        assert!(
            TcpStream::connect(("127.0.0.1", self.port)).is_err(),
            "the SMTP sink did not stop"
        );
    }

    fn stop(&mut self) {
        let Some(r) = self.running.take() else {
            return;
        };
        r.stop.store(true, Ordering::SeqCst);
        let _ = r.acceptor.join(); // drops the listener: the port refuses from here on
        if let Ok(mut sessions) = self.shared.sessions.lock() {
            for s in sessions.drain(..) {
                let _ = s.shutdown(Shutdown::Both);
            }
        }
    }

    /// Every message received so far, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        let raw = self.shared.messages.lock().expect("messages").clone();
        raw.iter().map(|m| parse(m)).collect()
    }

    pub fn count(&self) -> usize {
        self.shared.messages.lock().expect("messages").len()
    }
}

fn accept_loop(listener: &TcpListener, stop: &AtomicBool, shared: &Arc<Shared>) {
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                let _ = stream.set_nonblocking(false);
                if let Ok(clone) = stream.try_clone() {
                    shared.sessions.lock().expect("sessions").push(clone);
                }
                let shared = shared.clone();
                std::thread::spawn(move || {
                    let _ = serve_session(stream, &shared);
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}

/// One SMTP session: greeting, then commands until QUIT or the peer leaves.
fn serve_session(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    let mut out = stream.try_clone()?;
    let mut input = BufReader::new(stream);
    out.write_all(b"220 xiaohao-test-sink ESMTP\r\n")?;
    let mut line = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let verb = line
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-xiaohao-test-sink\r\n250 8BITMIME\r\n",
            "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 OK\r\n",
            "DATA" => {
                out.write_all(b"354 end with <CRLF>.<CRLF>\r\n")?;
                let message = read_data(&mut input)?;
                shared.messages.lock().expect("messages").push(message);
                b"250 OK queued\r\n"
            }
            "QUIT" => {
                out.write_all(b"221 bye\r\n")?;
                return Ok(());
            }
            _ => b"502 command not implemented\r\n",
        };
        out.write_all(reply)?;
    }
}

/// The DATA section up to the lone dot, with leading dots unstuffed (RFC 5321 §4.5.2).
fn read_data(input: &mut impl BufRead) -> std::io::Result<Vec<u8>> {
    let mut message = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok(message);
        }
        let body = line.strip_prefix(b".").unwrap_or(&line);
        message.extend_from_slice(body);
    }
}

pub fn parse(raw: &[u8]) -> Received {
    let m = MessageParser::default()
        .parse(raw)
        .expect("a parsable message");
    let from = m.from().and_then(|a| a.first()).expect("From");
    Received {
        message_id: m.message_id().unwrap_or_default().to_owned(),
        subject: m.subject().unwrap_or_default().to_owned(),
        from: from.address().unwrap_or_default().to_owned(),
        from_name: from.name().unwrap_or_default().to_owned(),
        to: m
            .to()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.address().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        text: m.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
        html: m.body_html(0).map(|t| t.into_owned()).unwrap_or_default(),
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}
