//! A real SMTP server on loopback for tests: plain TCP, RFC 5321 subset
//! (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), records what it accepts,
//! can answer 451 to the next messages, and can be stopped and started again
//! on the same port.

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use base64::Engine;

#[derive(Debug, Clone)]
pub struct Message {
    pub from: String,
    pub to: Vec<String>,
    /// The raw message, CRLF kept, dot-unstuffed.
    pub data: String,
}

struct Shared {
    messages: Mutex<Vec<Message>>,
    fail_next: AtomicUsize,
    stopping: AtomicBool,
}

pub struct SmtpServer {
    port: u16,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

impl SmtpServer {
    pub fn start() -> SmtpServer {
        Self::bind(TcpListener::bind("127.0.0.1:0").expect("bind smtp"))
    }

    pub fn start_on(port: u16) -> SmtpServer {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match TcpListener::bind(("127.0.0.1", port)) {
                Ok(l) => return Self::bind(l),
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => panic!("cannot bind 127.0.0.1:{port}: {e}"),
            }
        }
    }

    fn bind(listener: TcpListener) -> SmtpServer {
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared {
            messages: Mutex::new(vec![]),
            fail_next: AtomicUsize::new(0),
            stopping: AtomicBool::new(false),
        });
        let s = shared.clone();
        let acceptor = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if s.stopping.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let s = s.clone();
                    std::thread::spawn(move || {
                        let _ = session(stream, &s);
                    });
                }
            }
        });
        SmtpServer {
            port,
            shared,
            acceptor: Some(acceptor),
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn messages(&self) -> Vec<Message> {
        self.shared.messages.lock().unwrap().clone()
    }

    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Message> {
        let deadline = Instant::now() + timeout;
        loop {
            let m = self.messages();
            if m.len() >= n || Instant::now() >= deadline {
                return m;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn fail_next(&self, n: usize) {
        self.shared.fail_next.store(n, Ordering::SeqCst);
    }

    pub fn stop(&mut self) {
        if let Some(handle) = self.acceptor.take() {
            self.shared.stopping.store(true, Ordering::SeqCst);
            // Wake the acceptor so it sees the flag and drops the listener.
            if let Ok(s) = TcpStream::connect(("127.0.0.1", self.port)) {
                let _ = s.shutdown(Shutdown::Both);
            }
            let _ = handle.join();
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn session(stream: TcpStream, s: &Shared) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut out = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    if s.stopping.load(Ordering::SeqCst) {
        return Ok(());
    }
    out.write_all(b"220 sepakat-test ESMTP\r\n")?;
    let (mut from, mut to) = (String::new(), Vec::<String>::new());
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_string();
        let upper = cmd.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            out.write_all(b"250-sepakat-test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")?;
        } else if upper.starts_with("HELO") {
            out.write_all(b"250 sepakat-test\r\n")?;
        } else if upper.starts_with("MAIL FROM:") {
            from = addr(&cmd[10..]);
            to.clear();
            out.write_all(b"250 OK\r\n")?;
        } else if upper.starts_with("RCPT TO:") {
            to.push(addr(&cmd[8..]));
            out.write_all(b"250 OK\r\n")?;
        } else if upper == "DATA" {
            out.write_all(b"354 end with <CRLF>.<CRLF>\r\n")?;
            let mut data = String::new();
            loop {
                line.clear();
                if reader.read_line(&mut line)? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            let failing = s
                .fail_next
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok();
            if failing {
                out.write_all(b"451 4.3.0 try again later\r\n")?;
            } else {
                s.messages.lock().unwrap().push(Message {
                    from: from.clone(),
                    to: to.clone(),
                    data,
                });
                out.write_all(b"250 OK queued\r\n")?;
            }
        } else if upper == "RSET" {
            from.clear();
            to.clear();
            out.write_all(b"250 OK\r\n")?;
        } else if upper == "NOOP" {
            out.write_all(b"250 OK\r\n")?;
        } else if upper == "QUIT" {
            out.write_all(b"221 bye\r\n")?;
            return Ok(());
        } else {
            out.write_all(b"502 command not implemented\r\n")?;
        }
    }
}

fn addr(s: &str) -> String {
    let s = s.trim();
    let s = s.split_whitespace().next().unwrap_or(s);
    s.trim_start_matches('<').trim_end_matches('>').to_string()
}

/// The unfolded value of a header, with RFC 2047 encoded words decoded.
pub fn header(data: &str, name: &str) -> Option<String> {
    let head = data.split("\r\n\r\n").next().unwrap_or(data);
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    let prefix = format!("{}:", name.to_ascii_lowercase());
    unfolded
        .split("\r\n")
        .find(|l| l.to_ascii_lowercase().starts_with(&prefix))
        .map(|l| decode_words(l[prefix.len()..].trim()))
}

fn decode_words(s: &str) -> String {
    let mut out = String::new();
    let mut last_was_word = false;
    for token in s.split(' ') {
        let lower = token.to_ascii_lowercase();
        if lower.starts_with("=?utf-8?") && token.ends_with("?=") {
            let parts: Vec<&str> = token[2..token.len() - 2].splitn(3, '?').collect();
            let text = match parts.get(1).map(|e| e.to_ascii_lowercase()) {
                Some(e) if e == "b" => base64::engine::general_purpose::STANDARD
                    .decode(parts[2])
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default(),
                _ => qp(&parts.get(2).unwrap_or(&"").replace('_', " ")),
            };
            // Space between two encoded words is not part of the text; before one, it is.
            if !out.is_empty() && !last_was_word {
                out.push(' ');
            }
            out.push_str(&text);
            last_was_word = true;
        } else {
            if !out.is_empty() || last_was_word {
                out.push(' ');
            }
            out.push_str(token);
            last_was_word = false;
        }
    }
    out
}

fn qp(s: &str) -> String {
    let bytes = s.replace("=\r\n", "").replace("=\n", "");
    let b = bytes.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&bytes[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The decoded bodies of the text/plain and text/html parts, in order.
pub fn decoded_text_parts(data: &str) -> Vec<String> {
    let mut parts = vec![];
    for chunk in data.split("\r\n--") {
        let Some((head, body)) = chunk.split_once("\r\n\r\n") else {
            continue;
        };
        let head_l = head.to_ascii_lowercase();
        if !(head_l.contains("content-type: text/plain")
            || head_l.contains("content-type: text/html"))
        {
            continue;
        }
        let body = body.trim_end_matches("\r\n").to_string();
        let decoded = if head_l.contains("content-transfer-encoding: base64") {
            let clean: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            base64::engine::general_purpose::STANDARD
                .decode(clean)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default()
        } else if head_l.contains("content-transfer-encoding: quoted-printable") {
            qp(&body)
        } else {
            body
        };
        parts.push(decoded);
    }
    parts
}
