//! A real SMTP server on loopback for the mail tests: Debian's aiosmtpd (`python3-aiosmtpd`)
//! run by `/usr/bin/python3`, storing every accepted message in a Maildir. It can be stopped
//! (the port then refuses connections) and started again on the same port.

use mail_parser::MessageParser;
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct SmtpSink {
    pub port: u16,
    dir: PathBuf,
    child: Option<Child>,
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
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    l.local_addr().expect("addr").port()
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        let dir = std::env::temp_dir().join(format!("xiaohao-smtp-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("maildir");
        let mut sink = SmtpSink {
            port: free_port(),
            dir,
            child: None,
        };
        sink.up();
        sink
    }

    /// Start the server (again) on the same port and wait until it accepts connections.
    pub fn up(&mut self) {
        assert!(self.child.is_none(), "already running");
        let child = Command::new("/usr/bin/python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{}", self.port),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(self.dir.join("maildir"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("run /usr/bin/python3 -m aiosmtpd (apt-get install python3-aiosmtpd)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not come up");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stop the server: connections to the port are refused until [`SmtpSink::up`].
    pub fn down(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
            assert!(Instant::now() < deadline, "aiosmtpd did not stop");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Every message received so far, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        let new = self.dir.join("maildir").join("new");
        let mut files: Vec<(std::time::SystemTime, String, PathBuf)> = std::fs::read_dir(&new)
            .map(|rd| {
                rd.flatten()
                    .map(|e| {
                        let m = e.metadata().and_then(|m| m.modified()).ok();
                        (
                            m.unwrap_or(std::time::UNIX_EPOCH),
                            e.file_name().to_string_lossy().into_owned(),
                            e.path(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
            .into_iter()
            .map(|(_, _, p)| {
                let raw = std::fs::read(&p).expect("read message");
                parse(&raw)
            })
            .collect()
    }

    pub fn count(&self) -> usize {
        self.received().len()
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
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
