//! Drafting: the stages a draft moves through before it is signed, and the
//! drafts started from an earlier agreement (a renewal PKS, an adendum).

use serde::{Deserialize, Serialize};

use super::agreement::{AgreementDoc, AmendsRef, Party, PersonDoc};
use super::catalog::{AgreementKind, Side};
use super::check::CurrentHead;

/// Where an unsigned agreement stands. Signing (its date and both letter
/// numbers recorded) ends drafting; the stage means nothing after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(
    description = "Tahap draf: `draf` (disusun), `ditinjau` (diajukan untuk ditinjau), \
    `disetujui` (disetujui untuk ditandatangani)."
)]
pub enum Stage {
    Draf,
    Ditinjau,
    Disetujui,
}

impl Stage {
    pub const ALL: &'static [Stage] = &[Stage::Draf, Stage::Ditinjau, Stage::Disetujui];

    pub fn code(self) -> &'static str {
        match self {
            Stage::Draf => "draf",
            Stage::Ditinjau => "ditinjau",
            Stage::Disetujui => "disetujui",
        }
    }

    pub fn from_code(s: &str) -> Option<Stage> {
        Self::ALL.iter().copied().find(|st| st.code() == s)
    }

    /// The stage in words, as the office says it.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Draf => "Draf (sedang disusun)",
            Stage::Ditinjau => "Ditinjau",
            Stage::Disetujui => "Disetujui untuk ditandatangani",
        }
    }
}

/// Who may move a draft between two stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mover {
    /// Whoever drafts it (legal staff): submits it for review.
    Author,
    /// The office's approver: approves it, or sends it back with a note.
    Approver,
}

/// The right a move takes, or why there is no such move.
pub fn transition(from: Stage, to: Stage) -> Result<Mover, String> {
    use Stage::*;
    match (from, to) {
        (a, b) if a == b => Err(format!("draf sudah pada tahap {}", a.label())),
        (Draf, Ditinjau) => Ok(Mover::Author),
        (Draf, Disetujui) => Err("draf harus diajukan untuk ditinjau sebelum disetujui".into()),
        (Ditinjau, Disetujui) | (Ditinjau, Draf) | (Disetujui, Draf) | (Disetujui, Ditinjau) => {
            Ok(Mover::Approver)
        }
        (a, b) => Err(format!(
            "draf tidak dapat dipindahkan dari {} ke {}",
            a.label(),
            b.label()
        )),
    }
}

/// A move that sends a draft back needs its reason.
pub fn needs_note(from: Stage, to: Stage) -> bool {
    matches!(
        (from, to),
        (Stage::Ditinjau, Stage::Draf) | (Stage::Disetujui, Stage::Draf)
    )
}

/// A new PKS that renews `old`: its parties (signed by their current heads),
/// legal bases, scope, data balikan, terms, Juknis and applications, with
/// its own dates and letter numbers left to fill and none of what was
/// recorded under the old one (statements, certificates, reports).
pub fn renewal_of(old: &AgreementDoc, heads: &[CurrentHead]) -> AgreementDoc {
    let mut doc = carried(old, heads);
    doc.kind = AgreementKind::Pks;
    doc.amends = None;
    doc
}

/// An adendum of the signed agreement `old` (its id `id`), starting from
/// what `old` holds now: what the adendum changes is edited from there.
pub fn adendum_of(
    old: &AgreementDoc,
    id: i64,
    heads: &[CurrentHead],
) -> Result<AgreementDoc, String> {
    if old.signed_on.is_none() {
        return Err(
            "adendum hanya dapat dibuat untuk perjanjian yang sudah ditandatangani; ubah draf ini secara langsung"
                .into(),
        );
    }
    let number = old
        .party(Side::First)
        .and_then(|p| p.number.clone())
        .or_else(|| old.party(Side::Second).and_then(|p| p.number.clone()))
        .ok_or("perjanjian ini belum bernomor; adendum menyebut nomor PKS yang diubah")?;
    let mut doc = carried(old, heads);
    doc.kind = AgreementKind::Adendum;
    doc.amends = Some(AmendsRef {
        id: Some(id),
        number,
    });
    if !old.title.to_lowercase().starts_with("adendum") {
        doc.title = format!("Adendum {}", old.title);
    }
    Ok(doc)
}

/// What a draft started from `old` keeps of it.
fn carried(old: &AgreementDoc, heads: &[CurrentHead]) -> AgreementDoc {
    let mut doc = old.clone();
    doc.signed_on = None;
    doc.expires_on = None;
    doc.terminated = None;
    doc.approval_letter = None;
    doc.terms.iso27001_due_on = None;
    doc = with_heads(doc, heads);
    for p in &mut doc.parties {
        p.number = None;
    }
    if let Some(j) = &mut doc.juknis {
        j.number = None;
        j.date = None;
    }
    for s in &mut doc.access {
        s.id = None;
    }
    for a in &mut doc.applications {
        a.id = None;
    }
    doc.statements.clear();
    doc.certificates.clear();
    doc.reports.clear();
    doc.renewals.clear();
    doc
}

/// The draft signed, on each side, by the head the registry knows now
/// (the signatory of the side's latest signed agreement).
pub fn with_heads(mut doc: AgreementDoc, heads: &[CurrentHead]) -> AgreementDoc {
    doc.parties = doc.parties.iter().map(|p| party(p, heads)).collect();
    doc
}

fn party(p: &Party, heads: &[CurrentHead]) -> Party {
    let mut p = p.clone();
    let head = heads.iter().find(|h| h.side == p.side);
    if let Some(h) = head {
        let same = p
            .signatory
            .as_ref()
            .is_some_and(|s| s.name.trim().eq_ignore_ascii_case(h.name.trim()));
        if !same {
            let position = p.signatory.as_ref().and_then(|s| s.position.clone());
            p.signatory = Some(PersonDoc {
                id: None,
                name: h.name.clone(),
                position,
                nip: h.nip.clone(),
                nik: None,
                address: None,
                phone: None,
                email: None,
            });
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::example as seed;
    use chrono::NaiveDate;

    #[test]
    fn moves_take_their_right() {
        use Stage::*;
        assert_eq!(transition(Draf, Ditinjau), Ok(Mover::Author));
        assert_eq!(transition(Ditinjau, Disetujui), Ok(Mover::Approver));
        assert_eq!(transition(Ditinjau, Draf), Ok(Mover::Approver));
        assert!(transition(Draf, Disetujui).is_err());
        assert!(transition(Draf, Draf).is_err());
        assert!(needs_note(Ditinjau, Draf));
        assert!(!needs_note(Draf, Ditinjau));
        for s in Stage::ALL {
            assert_eq!(Stage::from_code(s.code()), Some(*s));
        }
    }

    #[test]
    fn a_renewal_keeps_the_content_and_drops_the_numbers() {
        let old = seed();
        let new = renewal_of(&old, &[]);
        assert_eq!(new.kind, AgreementKind::Pks);
        assert_eq!(new.access, old.access);
        assert_eq!(new.legal_bases, old.legal_bases);
        assert_eq!(new.return_data, old.return_data);
        assert!(new.signed_on.is_none() && new.expires_on.is_none());
        assert!(new.parties.iter().all(|p| p.number.is_none()));
        assert!(new.approval_letter.is_none());
        let j = new.juknis.as_ref().unwrap();
        assert!(j.number.is_none() && j.date.is_none());
        assert_eq!(j.contacts, old.juknis.as_ref().unwrap().contacts);
        assert!(new.statements.is_empty() && new.reports.is_empty());
        assert_eq!(new.check(), vec![]);
        let text = serde_json::to_string(&new).unwrap();
        for p in &old.parties {
            let n = p.number.as_ref().unwrap().as_str();
            assert!(!text.contains(n), "{n} carried over");
        }
    }

    #[test]
    fn a_renewal_is_signed_by_the_current_head() {
        let old = seed();
        let head = CurrentHead {
            side: Side::Second,
            name: "RINI HANDAYANI, S.E.".into(),
            nip: None,
            since: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            agreement_number: None,
        };
        let new = renewal_of(&old, &[head]);
        let second = new.party(Side::Second).unwrap().signatory.as_ref().unwrap();
        assert_eq!(second.name, "RINI HANDAYANI, S.E.");
        assert_eq!(
            second.position,
            old.party(Side::Second)
                .unwrap()
                .signatory
                .as_ref()
                .unwrap()
                .position
        );
        assert_eq!(
            new.party(Side::First).unwrap().signatory,
            old.party(Side::First).unwrap().signatory
        );
    }

    #[test]
    fn an_adendum_names_what_it_amends() {
        let old = seed();
        let add = adendum_of(&old, 7, &[]).unwrap();
        assert_eq!(add.kind, AgreementKind::Adendum);
        let amends = add.amends.as_ref().unwrap();
        assert_eq!(amends.id, Some(7));
        assert_eq!(amends.number.as_str(), "400.12/2432/2025");
        assert!(add.title.starts_with("Adendum "));
        assert_eq!(add.check(), vec![]);
        let mut draft = old.clone();
        draft.signed_on = None;
        assert!(adendum_of(&draft, 7, &[]).is_err());
    }
}
