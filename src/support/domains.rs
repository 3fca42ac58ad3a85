//! Domains: what a domain name is, the host a web address goes to, and whether that
//! host is on a domain, so that settings can name sites by domain and checks can
//! find addresses on them. Pure functions over strings; web addresses are read with
//! the `url` crate. Uses nothing else in the crate.

/// A domain as it is compared: trimmed and in lowercase.
pub fn normalise(written: &str) -> String {
    written.trim().to_lowercase()
}

/// Whether `name` is a domain name such as `scribd.com`: two or more parts between
/// dots, each of letters, digits and hyphens, not starting or ending with a hyphen.
pub fn is_domain(name: &str) -> bool {
    name.contains('.')
        && name.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

/// The host a web address goes to, in lowercase and without a final dot, read by the
/// same standard browsers follow: `www.scribd.com` for
/// `https://me:pw@WWW.Scribd.com.:443/doc`. `None` for an address without a host.
pub fn host_of(address: &str) -> Option<String> {
    let parsed = url::Url::parse(address.trim()).ok()?;
    let host = match parsed.host()? {
        url::Host::Domain(domain) => domain.to_owned(),
        url::Host::Ipv4(ip) => ip.to_string(),
        url::Host::Ipv6(ip) => ip.to_string(),
    };
    let host = host.strip_suffix('.').map(str::to_owned).unwrap_or(host);
    (!host.is_empty()).then_some(host)
}

/// Whether `host` is `domain` or one of its subdomains: `www.scribd.com` is on
/// `scribd.com`, `notscribd.com` is not. Both are in lowercase.
pub fn is_on(host: &str, domain: &str) -> bool {
    host.strip_suffix(domain)
        .is_some_and(|before| before.is_empty() || before.ends_with('.'))
}

/// The first of `domains` (each in lowercase) that the address `url` goes to.
pub fn domain_of<'a>(url: &str, domains: &'a [String]) -> Option<&'a str> {
    let host = host_of(url)?;
    domains
        .iter()
        .map(String::as_str)
        .find(|domain| is_on(&host, domain))
}

/// Where `address` goes inside the site published at `site` (a base URL ending in
/// `/`), if it goes there: its path from the site's root, as written, with its
/// `#fragment` and without its query. An address on the site's host with or without
/// `www.`, over http or https, counts: `http://example.gov.uk/sfl/crying/#top` is
/// `crying/#top` inside `https://www.example.gov.uk/sfl/`.
pub fn path_within(site: &str, address: &str) -> Option<String> {
    SiteAddress::new(site)?.path_of(address)
}

/// A site's own address, read once, to find the addresses that go inside it
/// quickly: most addresses are on other hosts, and are set aside without reading
/// them whole.
#[derive(Debug, Clone)]
pub struct SiteAddress {
    /// The host without `www.`, in lowercase.
    host: String,
    /// The path the site is published under, ending in `/`.
    root: String,
}

impl SiteAddress {
    /// The site published at `site`; `None` if that is not a web address.
    pub fn new(site: &str) -> Option<SiteAddress> {
        let site = url::Url::parse(site).ok()?;
        Some(SiteAddress {
            host: bare_host(&site)?,
            root: site.path().to_owned(),
        })
    }

    /// Where `address` goes inside the site, as [`path_within`] says.
    pub fn path_of(&self, address: &str) -> Option<String> {
        // A full address has a scheme, and so a colon; most links are relative.
        let mentions_host = address.contains(':')
            && address
                .as_bytes()
                .windows(self.host.len())
                .any(|window| window.eq_ignore_ascii_case(self.host.as_bytes()));
        if !mentions_host {
            return None;
        }
        let address = url::Url::parse(address.trim()).ok()?;
        if !matches!(address.scheme(), "http" | "https") || bare_host(&address)? != self.host {
            return None;
        }
        let path = address.path();
        let inside = match path.strip_prefix(self.root.as_str()) {
            Some(inside) => inside,
            // The site's own address without its last `/`.
            None if format!("{path}/") == self.root => "",
            None => return None,
        };
        Some(match address.fragment() {
            Some(fragment) => format!("{inside}#{fragment}"),
            None => inside.to_owned(),
        })
    }
}

/// A web address's host in lowercase, without a final dot or a first `www.`.
fn bare_host(url: &url::Url) -> Option<String> {
    let host = url.host_str()?.to_lowercase();
    let host = host.strip_suffix('.').unwrap_or(&host);
    Some(host.strip_prefix("www.").unwrap_or(host).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_inside_the_site_are_found_with_or_without_www_and_https() {
        let site = "https://www.example.gov.uk/sfl/";
        let inside = |address| path_within(site, address);
        assert_eq!(
            inside("http://example.gov.uk/sfl/crying/?a=1#top").as_deref(),
            Some("crying/#top")
        );
        assert_eq!(
            inside("https://WWW.Example.gov.uk/sfl/style.css").as_deref(),
            Some("style.css")
        );
        assert_eq!(
            inside("https://www.example.gov.uk/sfl").as_deref(),
            Some("")
        );
        assert_eq!(inside("https://www.example.gov.uk/other/"), None);
        assert_eq!(inside("https://www.example.gov.uk/sflx/"), None);
        assert_eq!(inside("https://example.org/sfl/"), None);
        assert_eq!(inside("mailto:someone@example.gov.uk"), None);
        assert_eq!(
            path_within(
                "https://familyhubs.example/",
                "https://familyhubs.example/offer"
            )
            .as_deref(),
            Some("offer")
        );
    }

    /// Checks that each address is on the domain given with it, or on none of
    /// `scribd.com` and `fdocuments.us` for `None`.
    fn assert_on(cases: &[(&str, Option<&str>)]) {
        let blocked = ["scribd.com".to_owned(), "fdocuments.us".to_owned()];
        for (url, expected) in cases {
            assert_eq!(domain_of(url, &blocked), *expected, "{url}");
        }
    }

    #[test]
    fn a_domain_matches_itself_and_its_subdomains() {
        assert_on(&[
            ("https://scribd.com/doc/1", Some("scribd.com")),
            ("https://www.scribd.com/doc/1", Some("scribd.com")),
            ("https://en.m.scribd.com", Some("scribd.com")),
            (
                "http://fdocuments.us/document/x.html",
                Some("fdocuments.us"),
            ),
        ]);
    }

    #[test]
    fn a_domain_matches_whatever_the_case() {
        assert_on(&[
            ("HTTPS://WWW.SCRIBD.COM/DOC/1", Some("scribd.com")),
            ("https://Scribd.Com", Some("scribd.com")),
            ("https://FDocuments.US/x", Some("fdocuments.us")),
        ]);
    }

    #[test]
    fn a_look_alike_suffix_is_not_a_subdomain() {
        assert_on(&[
            ("https://notscribd.com/doc/1", None),
            ("https://myfdocuments.us/", None),
            ("https://scribd.com.example.org/doc/1", None),
            ("https://www.nhs.uk/scribd.com/", None),
            ("https://www.nhs.uk/?from=scribd.com", None),
            ("https://www.nhs.uk/#scribd.com", None),
        ]);
    }

    #[test]
    fn the_host_is_found_past_user_info_and_a_port() {
        assert_on(&[
            ("https://www.scribd.com:443/doc/1", Some("scribd.com")),
            ("https://reader:secret@scribd.com/doc/1", Some("scribd.com")),
            ("https://www.nhs.uk@scribd.com:8080/doc", Some("scribd.com")),
            ("https://www.scribd.com./doc", Some("scribd.com")),
            // The user info names scribd.com, but the address goes to nhs.uk.
            ("https://scribd.com@www.nhs.uk/", None),
            ("https://scribd.com:secret@www.nhs.uk/", None),
            ("https://www.nhs.uk:443@notscribd.com/", None),
            // A browser ends the host at a backslash, as at a slash.
            ("https://scribd.com\\@www.nhs.uk/", Some("scribd.com")),
        ]);
    }

    #[test]
    fn hosts_are_read_as_a_browser_reads_them() {
        assert_eq!(
            host_of("https://Me:pw@WWW.Scribd.com.:443/doc?x#y").as_deref(),
            Some("www.scribd.com")
        );
        assert_eq!(host_of("http://[::1]:8080/").as_deref(), Some("::1"));
        // A browser reads the first word after extra slashes as the host.
        assert_eq!(
            host_of("https:///www.scribd.com/doc").as_deref(),
            Some("www.scribd.com")
        );
        assert_eq!(host_of("mailto:someone@scribd.com"), None);
        assert_eq!(host_of("www.scribd.com/doc"), None);
    }

    #[test]
    fn domains_are_names_with_dots() {
        for good in ["scribd.com", "www.scribd.com", "dokumen.tips", "a-b.co.uk"] {
            assert!(is_domain(good), "{good}");
        }
        for bad in [
            "",
            "scribd",
            "https://scribd.com",
            "scribd.com/doc",
            ".scribd.com",
            "scribd.com.",
            "-scribd.com",
            "scribd .com",
            "*.scribd.com",
        ] {
            assert!(!is_domain(bad), "{bad}");
        }
    }
}
