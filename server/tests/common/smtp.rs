//! A real SMTP server for the tests (mailin-embedded on a random port): it keeps every
//! message it receives.

use std::{
    net::TcpListener,
    sync::{Arc, Mutex},
};

use mailin_embedded::{Handler, Response, Server, response::OK};

/// One received message: its recipients and raw content.
#[derive(Clone, Debug, Default)]
pub struct Message {
    pub to: Vec<String>,
    pub data: Vec<u8>,
}

/// An SMTP handler that keeps every message it receives.
#[derive(Clone, Default)]
struct Inbox {
    received: Arc<Mutex<Vec<Message>>>,
    current: Message,
}

impl Handler for Inbox {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Message {
            to: to.to_vec(),
            data: Vec::new(),
        };
        OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        self.received
            .lock()
            .unwrap()
            .push(std::mem::take(&mut self.current));
        OK
    }
}

/// Starts an SMTP server on a free port; returns its inbox and port.
pub fn smtp_server() -> (Arc<Mutex<Vec<Message>>>, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let inbox = Inbox::default();
    let received = inbox.received.clone();
    std::thread::spawn(move || {
        let mut server = Server::new(inbox);
        server
            .with_name("test.localhost")
            .with_tcp_listener(listener);
        // Runs until the test process ends.
        let _ = server.serve();
    });
    (received, port)
}
