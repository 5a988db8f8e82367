//! A small SMTP server on a loopback port that keeps every mail it is given:
//! the app speaks real SMTP over TCP to it (lettre's transport, no stub). It
//! can be stopped (connections are then refused) and started again on the
//! same port, as a mail server that was down for a while.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use base64::Engine;

/// One mail as received: the envelope and the raw message.
#[derive(Debug, Clone)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

impl Mail {
    fn headers(&self) -> &str {
        self.data.split("\r\n\r\n").next().unwrap_or("")
    }

    /// The Subject header, RFC 2047 words decoded.
    pub fn subject(&self) -> String {
        let mut subject = String::new();
        let mut in_subject = false;
        for line in self.headers().split("\r\n") {
            if let Some(rest) = line.strip_prefix("Subject:") {
                in_subject = true;
                subject.push_str(rest);
            } else if in_subject && line.starts_with([' ', '\t']) {
                subject.push_str(line);
            } else {
                in_subject = false;
            }
        }
        subject
            .split_whitespace()
            .map(decode_word)
            .collect::<Vec<_>>()
            .join("")
    }

    /// The text body (the app sends it base64-encoded).
    pub fn body(&self) -> String {
        let body = self.data.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        let joined: String = body.split_whitespace().collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(joined.as_bytes())
            .unwrap_or_else(|_| body.as_bytes().to_vec());
        String::from_utf8_lossy(&bytes).into_owned()
    }

    pub fn is_to(&self, address: &str) -> bool {
        self.to.iter().any(|t| t == address)
    }
}

/// `=?utf-8?b?…?=` to its text; anything else as it is.
fn decode_word(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("=?utf-8?b?") {
        let len = rest.len().saturating_sub(2);
        let encoded = &word[word.len() - rest.len()..][..len];
        if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(encoded) {
            return String::from_utf8_lossy(&bytes).into_owned();
        }
    }
    word.to_string()
}

pub struct SmtpSink {
    port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl SmtpSink {
    /// Listens on a free loopback port.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind smtp sink");
        let port = listener.local_addr().expect("port").port();
        let mut sink = Self {
            port,
            mails: Arc::default(),
            stop: Arc::default(),
            thread: None,
        };
        sink.serve(listener);
        sink
    }

    /// The app's `HYOKA_SMTP_URL`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    fn serve(&mut self, listener: TcpListener) {
        listener.set_nonblocking(true).expect("nonblocking");
        let (mails, stop) = (self.mails.clone(), self.stop.clone());
        self.thread = Some(std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let mails = mails.clone();
                        std::thread::spawn(move || {
                            let _ = session(stream, &mails);
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        }));
    }

    /// Stops listening: connections are refused until [`restart`](Self::restart).
    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    /// Listens again on the same port.
    pub fn restart(&mut self) {
        self.stop.store(false, Ordering::SeqCst);
        // Another test's connection may hold the freed port for a moment
        // (the app's mail sender keeps trying it): try again for a while.
        let mut tries = 0;
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", self.port)) {
                Ok(listener) => break listener,
                Err(_) if tries < 50 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(e) => panic!("bind smtp sink again: {e}"),
            }
        };
        self.serve(listener);
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Waits (up to 30 s) until at least `n` mails arrived; returns all.
    pub async fn wait_for(&self, n: usize) -> Vec<Mail> {
        let start = Instant::now();
        loop {
            let mails = self.mails();
            if mails.len() >= n || start.elapsed() > Duration::from_secs(30) {
                return mails;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until `wanted` mails to `address` match `pred` (up to 30 s).
    pub async fn wait_until(&self, pred: impl Fn(&[Mail]) -> bool) -> Vec<Mail> {
        let start = Instant::now();
        loop {
            let mails = self.mails();
            if pred(&mails) || start.elapsed() > Duration::from_secs(30) {
                return mails;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One SMTP conversation: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
fn session(stream: TcpStream, mails: &Mutex<Vec<Mail>>) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut out = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    out.write_all(b"220 sink.test ESMTP\r\n")?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_string();
        let upper = command.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            out.write_all(b"250-sink.test\r\n250 8BITMIME\r\n")?;
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            out.write_all(b"250 OK\r\n")?;
        } else if upper.starts_with("MAIL FROM:") {
            from = address(&command[10..]);
            to.clear();
            out.write_all(b"250 OK\r\n")?;
        } else if upper.starts_with("RCPT TO:") {
            to.push(address(&command[8..]));
            out.write_all(b"250 OK\r\n")?;
        } else if upper == "DATA" {
            out.write_all(b"354 go ahead\r\n")?;
            let mut data = String::new();
            loop {
                line.clear();
                if reader.read_line(&mut line)? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                let text = line.strip_prefix('.').unwrap_or(&line);
                data.push_str(text);
            }
            mails.lock().unwrap_or_else(|e| e.into_inner()).push(Mail {
                from: from.clone(),
                to: to.clone(),
                data,
            });
            out.write_all(b"250 queued\r\n")?;
        } else if upper.starts_with("RSET") {
            to.clear();
            out.write_all(b"250 OK\r\n")?;
        } else if upper.starts_with("QUIT") {
            out.write_all(b"221 bye\r\n")?;
            return Ok(());
        } else {
            out.write_all(b"502 not implemented\r\n")?;
        }
    }
}

fn address(arg: &str) -> String {
    let arg = arg.trim();
    let inner = arg
        .split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map_or(arg, |(a, _)| a);
    inner.to_string()
}
