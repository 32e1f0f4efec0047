//! Closed vocabularies of the domain: population-data elements (UU 24/2013
//! Pasal 58(2), protected items under Pasal 84), access methods and
//! institution kinds.

use serde::{Deserialize, Serialize};

#[derive(Debug)]
pub struct ElementDef {
    pub code: &'static str,
    pub label: &'static str,
    pub protected: bool,
}

const fn e(code: &'static str, label: &'static str) -> ElementDef {
    ElementDef {
        code,
        label,
        protected: false,
    }
}
const fn p(code: &'static str, label: &'static str) -> ElementDef {
    ElementDef {
        code,
        label,
        protected: true,
    }
}

/// The seed of the `data_elements` table; the table is the catalog at run time.
pub const ELEMENTS: &[ElementDef] = &[
    e("nomor_kk", "Nomor KK"),
    e("nik", "NIK"),
    e("nama_lengkap", "Nama Lengkap"),
    e("jenis_kelamin", "Jenis Kelamin"),
    e("tempat_lahir", "Tempat Lahir"),
    e("tanggal_lahir", "Tanggal/Bulan/Tahun Lahir"),
    e("golongan_darah", "Golongan Darah"),
    e("agama", "Agama/Kepercayaan"),
    e("status_perkawinan", "Status Perkawinan"),
    e("status_hubungan_keluarga", "Status Hubungan Dalam Keluarga"),
    e("pendidikan_terakhir", "Pendidikan Terakhir"),
    e("jenis_pekerjaan", "Jenis Pekerjaan"),
    e("nik_ibu", "NIK Ibu Kandung"),
    e("nama_ibu", "Nama Lengkap Ibu"),
    e("nik_ayah", "NIK Ayah"),
    e("nama_ayah", "Nama Lengkap Ayah"),
    e("alamat_sebelumnya", "Alamat Sebelumnya"),
    e(
        "alamat",
        "Alamat Sekarang (alamat, Nama Provinsi, Nama Kabupaten/Kota, Kode Kecamatan, Nama Kecamatan, Nama Desa/Kelurahan, RT, RW)",
    ),
    e("akta_kelahiran", "Kepemilikan Akta Kelahiran/Surat Kenal Lahir"),
    e("akta_kematian", "Kepemilikan Akta Kematian"),
    e("akta_perkawinan", "Kepemilikan Akta Perkawinan/Buku Nikah"),
    e("akta_perceraian", "Kepemilikan Akta Perceraian"),
    e("anggota_keluarga", "Data Anggota Keluarga dalam satu KK"),
    e(
        "notifikasi_kesesuaian",
        "Notifikasi \"ditemukan\", \"tidak ditemukan\" atau \"tidak sesuai\"",
    ),
    p("keterangan_cacat", "Keterangan tentang Cacat Fisik dan/atau Mental"),
    p("sidik_jari", "Sidik Jari"),
    p("iris_mata", "Iris Mata"),
    p("tanda_tangan", "Tanda Tangan"),
    p("aib", "Elemen Data Lainnya yang Merupakan Aib Seseorang"),
];

pub fn element(code: &str) -> Option<&'static ElementDef> {
    ELEMENTS.iter().find(|e| e.code == code)
}

/// Checks that a code names an element a PKS may grant.
pub fn grantable_element(code: &str) -> Result<&'static ElementDef, String> {
    match element(code) {
        None => Err(format!("kode elemen data '{code}' tidak dikenal")),
        Some(def) if def.protected => Err(format!(
            "elemen data '{code}' adalah data pribadi yang dilindungi (UU 24/2013 Pasal 84) dan tidak dapat diberikan melalui PKS"
        )),
        Some(def) => Ok(def),
    }
}

macro_rules! closed_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $code:literal => $label:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema,
        )]
        #[serde(rename_all = "snake_case")]
        // The OpenAPI description lists each code with its Indonesian label.
        #[schema(description = concat!($("\n- `", $code, "`: ", $label),+))]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

closed_enum!(
    /// What an account may do (issue 5): `admin` everything; `legal` Dukcapil
    /// staff with full rights on their office's agreements; `opd` the head or
    /// PIC of an agency, reading its agreements and recording what it owes;
    /// `viewer` reads within its office.
    Role {
        Admin = "admin" => "Administrator",
        Legal = "legal" => "Staf hukum Dukcapil",
        Opd = "opd" => "Kepala/PIC OPD",
        Viewer = "viewer" => "Pembaca",
    }
);

closed_enum!(
    /// How PIHAK KEDUA reaches the population data.
    AccessMethod {
        WebPortal = "web_portal" => "Web Portal",
        WebService = "web_service" => "Web Service",
        CardReader = "card_reader" => "Card Reader",
        DataWarehouse = "data_warehouse" => "Data Warehouse",
    }
);

closed_enum!(
    InstitutionKind {
        DukcapilPusat = "dukcapil_pusat" => "Ditjen Dukcapil",
        DukcapilProvinsi = "dukcapil_provinsi" => "Dinas Dukcapil Provinsi",
        DukcapilKabupatenKota = "dukcapil_kabupaten_kota" => "Dinas Dukcapil Kabupaten/Kota",
        Opd = "opd" => "Perangkat Daerah (OPD)",
        Lembaga = "lembaga" => "Lembaga",
        BadanHukum = "badan_hukum" => "Badan Hukum",
    }
);

impl InstitutionKind {
    pub fn is_dukcapil(self) -> bool {
        matches!(
            self,
            InstitutionKind::DukcapilPusat
                | InstitutionKind::DukcapilProvinsi
                | InstitutionKind::DukcapilKabupatenKota
        )
    }
}

closed_enum!(
    Side {
        First = "first" => "PIHAK KESATU",
        Second = "second" => "PIHAK KEDUA",
    }
);

closed_enum!(
    AgreementKind {
        Pks = "pks" => "Perjanjian Kerja Sama",
        Adendum = "adendum" => "Adendum",
    }
);

closed_enum!(
    TerminationReason {
        NomenclatureChange = "nomenclature_change" => "perubahan nomenklatur/kelembagaan",
        Breach = "breach" => "pelanggaran kewajiban",
        Mutual = "mutual" => "kesepakatan PARA PIHAK",
    }
);

closed_enum!(
    PocStatus {
        NotRequested = "not_requested" => "belum diajukan",
        Requested = "requested" => "diajukan",
        Scheduled = "scheduled" => "dijadwalkan",
        Passed = "passed" => "lulus",
        Failed = "failed" => "tidak lulus",
    }
);

closed_enum!(
    StatementKind {
        Sptjm = "sptjm" => "SPTJM",
        Nda = "nda" => "NDA",
    }
);

closed_enum!(
    CertificateKind {
        Iso27001 = "iso27001" => "ISO/IEC 27001",
    }
);

closed_enum!(
    ReportChannel {
        Email = "email" => "surel",
        HardCopy = "hard_copy" => "hard copy",
        Portal = "portal" => "portal",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_codes_are_unique_and_protected_are_refused() {
        let mut codes: Vec<_> = ELEMENTS.iter().map(|e| e.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), ELEMENTS.len());
        assert!(grantable_element("nik").is_ok());
        let err = grantable_element("sidik_jari").unwrap_err();
        assert!(err.contains("Pasal 84"), "{err}");
        let err = grantable_element("nomor_sepatu").unwrap_err();
        assert!(err.contains("tidak dikenal"), "{err}");
    }

    #[test]
    fn enums_round_trip_their_codes() {
        for m in AccessMethod::ALL {
            assert_eq!(AccessMethod::from_code(m.code()), Some(*m));
            let json = serde_json::to_string(m).unwrap();
            assert_eq!(json, format!("\"{}\"", m.code()));
        }
        assert_eq!(
            InstitutionKind::from_code("opd"),
            Some(InstitutionKind::Opd)
        );
        assert!(InstitutionKind::DukcapilPusat.is_dukcapil());
    }
}
