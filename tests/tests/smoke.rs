//! The harness itself: a lesson starts, answers, and stops on Ctrl-C.

use end_to_end::{agent, start};
use std::time::Duration;

#[test]
fn lesson02_dump_starts_answers_and_stops() {
    let mut server = start("lesson02-http", &["--dump", "0"]);
    let mut response = agent().get(&server.url("/hello?x=1")).call().unwrap();
    assert_eq!(response.status(), 200);
    let text = response.body_mut().read_to_string().unwrap();
    assert!(text.contains("Path: /hello"), "{text}");
    server.interrupt();
    let status = server
        .wait_exit(Duration::from_secs(15))
        .expect("exits after Ctrl-C");
    assert!(status.success(), "{status:?}");
}
