//! gzip for the pages on one compressor kept per thread. actix's Compress
//! middleware sets up a new deflate state for every response, and zeroing
//! its quarter-megabyte of tables cost as much as compressing a 20 KB page;
//! a kept state is reset instead (its hash table only). Other responses
//! (the API, files, exports) stay with the middleware, which leaves a body
//! that already carries a Content-Encoding alone.

use std::cell::RefCell;

use actix_web::http::header::{AcceptEncoding, Encoding, Header};
use actix_web::HttpRequest;
use flate2::{Compress, Compression, FlushCompress, Status};

thread_local! {
    static COMPRESSOR: RefCell<Compress> =
        RefCell::new(Compress::new_gzip(Compression::fast(), 15));
}

/// Whether the client takes gzip rather than the body as it is.
pub fn accepted(req: &HttpRequest) -> bool {
    let Ok(accept) = AcceptEncoding::parse(req) else {
        return false;
    };
    let offered = [Encoding::gzip(), Encoding::identity()];
    accept.negotiate(offered.iter()) == Some(Encoding::gzip())
}

/// `data` gzip-compressed (a whole gzip member: header, deflate, trailer).
pub fn gzip(data: &[u8]) -> Option<Vec<u8>> {
    COMPRESSOR.with(|c| {
        let mut c = c.borrow_mut();
        c.reset();
        let mut out = Vec::with_capacity(data.len() / 3 + 64);
        loop {
            let read = usize::try_from(c.total_in()).ok()?;
            match c
                .compress_vec(&data[read..], &mut out, FlushCompress::Finish)
                .ok()?
            {
                Status::StreamEnd => return Some(out),
                Status::Ok | Status::BufError => out.reserve(out.capacity().max(1024)),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn gunzip(data: &[u8]) -> String {
        let mut s = String::new();
        flate2::read::GzDecoder::new(data)
            .read_to_string(&mut s)
            .unwrap();
        s
    }

    #[test]
    fn round_trips_and_the_kept_state_starts_afresh() {
        let page: String = (0..3000)
            .map(|i| format!("<li>Kewajiban {i} tenggat 14 Januari 2027</li>"))
            .collect();
        let first = gzip(page.as_bytes()).unwrap();
        assert!(first.len() < page.len() / 4, "{} bytes", first.len());
        assert_eq!(gunzip(&first), page);
        // The next body on the same thread owes nothing to the first.
        let second = gzip(b"<p>Tidak ada kewajiban.</p>").unwrap();
        assert_eq!(gunzip(&second), "<p>Tidak ada kewajiban.</p>");
        assert_eq!(gzip(page.as_bytes()).unwrap(), first);
        assert_eq!(gunzip(&gzip(b"").unwrap()), "");
    }

    #[test]
    fn gzip_only_when_the_client_takes_it() {
        use actix_web::test::TestRequest;
        let with = |v: &str| {
            accepted(
                &TestRequest::default()
                    .insert_header(("accept-encoding", v))
                    .to_http_request(),
            )
        };
        assert!(with("gzip, deflate, br"));
        assert!(with("br;q=1.0, gzip;q=0.8"));
        assert!(!with("gzip;q=0"));
        assert!(!with("identity"));
        assert!(!with("br"));
        assert!(!accepted(&TestRequest::default().to_http_request()));
    }
}
