//! Personal data shown only to whom it is due: NIK and phone numbers are
//! masked (`3303********0008`) for readers who are not entitled to them.
//! Pure: works on the JSON the API is about to send.

use serde_json::Value;

use super::text::mask_phone;

/// `3303051909670007` → `3303********0007`.
pub fn mask_nik(nik: &str) -> String {
    // A NIK is 16 ASCII digits; anything else is masked the same way.
    mask_phone(nik)
}

/// Whose personal data the reader may see unmasked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entitled {
    /// Nobody's (a viewer).
    Nobody,
    /// PIHAK KEDUA's people only: the agency reading its own agreements.
    SecondParty,
}

/// Masks every `nik` and `phone` in `v` the reader is not entitled to. An
/// object with `"side": "first"|"second"` (a party, a Juknis contact) and the
/// `statements` list (signed by the agency's people) decide whose data it is.
pub fn mask(v: &mut Value, entitled: Entitled) {
    walk(v, false, entitled);
}

fn walk(v: &mut Value, own: bool, entitled: Entitled) {
    match v {
        Value::Object(map) => {
            let own = match map.get("side").and_then(Value::as_str) {
                Some("second") => entitled == Entitled::SecondParty,
                Some("first") => false,
                _ => own,
            };
            for (key, value) in map.iter_mut() {
                match (key.as_str(), &*value) {
                    ("nik", Value::String(s)) if !own => *value = Value::String(mask_nik(s)),
                    ("phone", Value::String(s)) if !own => *value = Value::String(mask_phone(s)),
                    // The line under a signature in a document: "NIK. 3303…".
                    ("id_line", Value::String(s)) if !own && s.starts_with("NIK. ") => {
                        *value = Value::String(format!("NIK. {}", mask_nik(&s[5..])))
                    }
                    // Statements (and the documents' SPTJM/NDA signers) are the agency's people.
                    ("statements" | "sptjm" | "nda", _) => {
                        walk(value, entitled == Entitled::SecondParty, entitled)
                    }
                    _ => walk(value, own, entitled),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| walk(i, own, entitled)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn viewers_see_no_nik_and_agencies_only_their_own() {
        let doc = json!({
            "parties": [
                {"side": "first", "signatory": {"name": "A", "nik": "3303051909670007", "phone": "081234567890"}},
                {"side": "second", "signatory": {"name": "B", "nik": "3303051909670015"}}
            ],
            "juknis": {"contacts": [{"side": "first", "phone": "087715480689"}, {"side": "second", "phone": "085225006084"}]},
            "statements": [{"signer": {"nik": "3303051909670023"}}],
            "people": [{"nik": "3303051909670031"}]
        });
        let mut v = doc.clone();
        mask(&mut v, Entitled::Nobody);
        assert_eq!(v["parties"][0]["signatory"]["nik"], "3303********0007");
        assert_eq!(v["parties"][0]["signatory"]["phone"], "0812****7890");
        assert_eq!(v["parties"][1]["signatory"]["nik"], "3303********0015");
        assert_eq!(v["statements"][0]["signer"]["nik"], "3303********0023");
        assert_eq!(v["juknis"]["contacts"][1]["phone"], "0852****6084");
        let mut v = doc.clone();
        mask(&mut v, Entitled::SecondParty);
        assert_eq!(v["parties"][0]["signatory"]["nik"], "3303********0007");
        assert_eq!(v["parties"][1]["signatory"]["nik"], "3303051909670015");
        assert_eq!(v["statements"][0]["signer"]["nik"], "3303051909670023");
        assert_eq!(v["juknis"]["contacts"][0]["phone"], "0877****0689");
        assert_eq!(v["juknis"]["contacts"][1]["phone"], "085225006084");
        assert_eq!(
            v["people"][0]["nik"], "3303********0031",
            "people outside an agreement"
        );
    }
}
