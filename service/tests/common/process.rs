//! The real `bulwark` binary as a child process: its log (stderr) collected line by line,
//! killed when dropped.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

use super::LIMIT;

/// A running `bulwark` process.
pub struct Bulwark {
    /// The process.
    pub child: Child,
    log: Arc<Mutex<Vec<String>>>,
}

impl Bulwark {
    /// Runs `bulwark --quiet ARGS…` with an `info` log.
    pub fn spawn(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_bulwark"))
            .arg("--quiet")
            .args(args)
            .env("NO_COLOR", "1")
            .env("RUST_LOG", "info")
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn bulwark");
        let stderr = child.stderr.take().expect("stderr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(line);
            }
        });
        Self { child, log }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The log so far.
    pub fn log(&self) -> String {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .join("\n")
    }

    /// Log lines containing `pattern`.
    pub fn count(&self, pattern: &str) -> usize {
        let log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        log.iter().filter(|line| line.contains(pattern)).count()
    }

    /// The first log line containing `pattern`, once it appears (panics after `within`).
    pub fn wait_for(&self, pattern: &str, within: Duration) -> String {
        let deadline = Instant::now() + within;
        loop {
            let found = {
                let log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
                log.iter().find(|line| line.contains(pattern)).cloned()
            };
            if let Some(line) = found {
                return line;
            }
            assert!(
                Instant::now() < deadline,
                "no {pattern:?} in the log within {within:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// The `127.0.0.1:PORT` address on the first log line containing `pattern`.
    pub fn address(&self, pattern: &str) -> String {
        let line = self.wait_for(pattern, LIMIT);
        let at = line
            .find("127.0.0.1:")
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        let port: String = line[at + 10..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        format!("127.0.0.1:{port}")
    }

    /// SIGKILL, and reap.
    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reap");
    }

    /// Sends SIGTERM and waits for a successful exit; returns how long that took.
    pub fn terminate(mut self) -> Duration {
        let start = Instant::now();
        let status = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM failed");
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                assert!(status.success(), "bulwark exited with {status}");
                return start.elapsed();
            }
            assert!(start.elapsed() < LIMIT, "bulwark did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether the process still runs.
    pub fn running(&mut self) -> bool {
        self.child.try_wait().expect("status").is_none()
    }
}

impl Drop for Bulwark {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
