//! Where a request comes from. The TCP peer, unless that peer is a reverse
//! proxy the administrator named in `HYOKA_TRUSTED_PROXIES`: then the client is
//! the nearest address in `X-Forwarded-For` that is not itself such a proxy.
//! Forwarded headers from anyone else are ignored, so a client cannot pick
//! the address its failed logins count against.

use std::net::IpAddr;

use actix_web::HttpRequest;

/// The client's address as the login throttle and the session list see it.
pub fn client_address(req: &HttpRequest, trusted: &[IpAddr]) -> String {
    let Some(peer) = req.peer_addr().map(|a| a.ip()) else {
        return "unknown".to_string();
    };
    if !trusted.contains(&peer) {
        return peer.to_string();
    }
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    // The proxy appends what it saw; read from the right, past our own proxies.
    forwarded
        .iter()
        .rev()
        .filter_map(|a| a.parse::<IpAddr>().ok())
        .find(|ip| !trusted.contains(ip))
        .map_or_else(|| peer.to_string(), |ip| ip.to_string())
}

/// `HYOKA_TRUSTED_PROXIES`: addresses separated by commas. `Err` names the
/// first entry that is not an IP address.
pub fn parse_trusted(list: &str) -> Result<Vec<IpAddr>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse()
                .map_err(|_| format!("HYOKA_TRUSTED_PROXIES の「{s}」は IP アドレスではありません"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn req(peer: &str, forwarded: Option<&str>) -> HttpRequest {
        let mut r = TestRequest::default().peer_addr(format!("{peer}:5000").parse().unwrap());
        if let Some(f) = forwarded {
            r = r.insert_header(("X-Forwarded-For", f));
        }
        r.to_http_request()
    }

    #[test]
    fn forwarded_addresses_count_only_from_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let trusted = [proxy];
        // A client that forges the header is still itself.
        assert_eq!(
            client_address(&req("192.168.1.5", Some("1.2.3.4")), &trusted),
            "192.168.1.5"
        );
        assert_eq!(
            client_address(&req("192.168.1.5", Some("1.2.3.4")), &[]),
            "192.168.1.5"
        );
        // Through the proxy: the address the proxy saw (the rightmost), not a forged one.
        assert_eq!(
            client_address(&req("10.0.0.1", Some("6.6.6.6, 192.168.1.7")), &trusted),
            "192.168.1.7"
        );
        assert_eq!(client_address(&req("10.0.0.1", None), &trusted), "10.0.0.1");
        assert_eq!(parse_trusted(" 10.0.0.1, ::1 ").unwrap().len(), 2);
        assert!(parse_trusted("proxy.local").is_err());
    }
}
