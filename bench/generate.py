#!/usr/bin/env python3
"""Writes N synthetic agreements in the sepakat.agreement/v1 format, one per
line (JSONL), deterministic for a seed. All NIKs, NIPs, phones and addresses
are invented and pass the importer's validation.

    python3 bench/generate.py 100000 /tmp/agreements.jsonl [--seed 1] [--offset 0]
"""
import argparse
import datetime as dt
import json
import random

ELEMENTS = ["nomor_kk", "nik", "nama_lengkap", "jenis_kelamin", "tempat_lahir", "tanggal_lahir",
            "agama", "status_perkawinan", "jenis_pekerjaan", "alamat", "anggota_keluarga"]
METHODS = ["web_portal", "web_service", "card_reader"]
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
AGENCIES = ["Dinas Sosial", "Dinas Kesehatan", "Dinas Pendidikan", "Dinas Koperasi dan UKM", "Badan Pendapatan Daerah",
            "Dinas Tenaga Kerja", "RSUD", "Dinas Perhubungan", "Badan Kepegawaian Daerah", "Dinas Pertanian",
            "Bank Perkreditan Rakyat", "Dinas Perumahan", "Badan Penanggulangan Bencana Daerah"]
FIRST = ["ANDI", "BUDI", "SITI", "DEWI", "RINA", "AGUS", "EKO", "SRI", "HENDRA", "YUNI", "DEDI", "NUR"]
LAST = ["SANTOSO", "WIBOWO", "LESTARI", "HIDAYAT", "KURNIAWAN", "PERMATA", "SAPUTRA", "RAHAYU", "SETIAWAN"]


def nik(rng, region, female):
    born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 40 * 365))
    day = born.day + (40 if female else 0)
    return f"{region}{day:02d}{born.month:02d}{born.year % 100:02d}{rng.randrange(9000, 9999):04d}"


def nip(rng, female):
    born = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randrange(0, 25 * 365))
    return f"{born:%Y%m%d}{born.year + 24:04d}{rng.randrange(1, 13):02d}{2 if female else 1}{rng.randrange(1, 999):03d}"


def person(rng, region, role):
    female = rng.random() < 0.5
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    p = {"name": name, "position": role, "nik": nik(rng, region, female)}
    if role.startswith("Kepala"):
        p["nip"] = nip(rng, female)
    p["email"] = f"{name.lower().replace(' ', '.')}{rng.randrange(1000)}@opd.example"
    return p


def agreement(i, rng):
    office = i % 550
    prov, kab = 11 + office % 80, 1 + office // 80
    region = f"{prov:02d}{kab:02d}{1 + rng.randrange(30):02d}"
    office_name = f"Dinas Kependudukan dan Pencatatan Sipil Kabupaten Contoh {office + 1}"
    agency = f"{AGENCIES[(i // 550) % len(AGENCIES)]} Kabupaten Contoh {office + 1} Unit {(i // 7150) % 20 + 1}"
    signed = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(0, 7 * 365 + 300))
    expires = signed.replace(year=signed.year + rng.choice([2, 3, 5])) if not (signed.month == 2 and signed.day == 29) else signed + dt.timedelta(days=730)
    methods = rng.sample(METHODS, rng.randint(1, 2))
    access = [{"method": m, "elements": rng.sample(ELEMENTS, rng.randint(3, 9)),
               "daily_quota": 200, "unlimited_after_poc": True} for m in methods]
    head = person(rng, region, f"Kepala {agency}")
    operators = [person(rng, region, "Operator") for _ in range(rng.randint(1, 3))]
    reports = []
    for year in range(signed.year, min(expires.year, 2026) + 1):
        for sem in (1, 2):
            if rng.random() < 0.7 and dt.date(year, 6 * sem, 28) > signed and dt.date(year, 6 * sem, 28) < dt.date(2026, 11, 1):
                month = 7 if sem == 1 else 1
                yy = year if sem == 1 else year + 1
                reports.append({"year": year, "semester": sem, "submitted_on": f"{yy}-{month:02d}-{rng.randint(2, 20):02d}",
                                "channel": rng.choice(["email", "portal", "hard_copy"])})
    return {
        "schema": "sepakat.agreement/v1",
        "kind": "pks",
        "title": f"Pemanfaatan Nomor Induk Kependudukan, Data Kependudukan dan KTP Elektronik dalam Lingkup Tugas {agency}",
        "purpose": "verifikasi dan validasi data penerima layanan PIHAK KEDUA",
        "signed_on": signed.isoformat(),
        "signed_place": f"Kabupaten Contoh {office + 1}",
        "expires_on": expires.isoformat(),
        "parties": [
            {"side": "first", "number": f"400.12/{i + 1}/{signed.year}",
             "institution": {"name": office_name, "kind": "dukcapil_kabupaten_kota", "region_code": f"{prov:02d}.{kab:02d}",
                             "email": f"dukcapil{office + 1}@dukcapil.example"},
             "signatory": person(rng, region, f"Kepala {office_name}")},
            {"side": "second", "number": f"{rng.randrange(100, 999)}/{i + 1}/{ROMAN[signed.month - 1]}/{signed.year}",
             "institution": {"name": agency, "kind": "opd", "region_code": f"{prov:02d}.{kab:02d}"},
             "signatory": head},
        ],
        "legal_bases": ["Undang-Undang Nomor 23 Tahun 2006 tentang Administrasi Kependudukan sebagaimana telah diubah dengan Undang-Undang Nomor 24 Tahun 2013",
                        "Peraturan Menteri Dalam Negeri Nomor 102 Tahun 2019 tentang Pemberian Hak Akses dan Pemanfaatan Data Kependudukan"],
        "access": access,
        "return_data": ["NIK", "Nomor layanan"],
        "terms": {"card_reader": "card_reader" in methods},
        "juknis": {"number": f"400.12/{i + 1}.1/{signed.year}", "date": signed.isoformat(),
                   "network": {"ip_lan": f"10.{office % 250}.{rng.randrange(256)}.{rng.randrange(1, 255)}", "bandwidth": "1 Mbps", "cost_bearer": "second"},
                   "contacts": [{"side": "second", "name": o["name"], "email": o["email"]} for o in operators[:1]]},
        "statements": [{"kind": "sptjm", "signed_on": signed.isoformat(), "meterai": True, "signer": head}]
                      + [{"kind": "nda", "signed_on": signed.isoformat(), "meterai": True, "signer": o} for o in operators],
        "applications": [{"name": f"Aplikasi Layanan {m}", "method": m, "poc": {"status": "not_requested"}} for m in methods if m == "web_service"],
        "reports": reports,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--offset", type=int, default=0, help="first agreement number (to add more later)")
    a = ap.parse_args()
    rng = random.Random(a.seed + a.offset)
    with open(a.out, "w") as f:
        for i in range(a.offset, a.offset + a.n):
            f.write(json.dumps(agreement(i, rng), ensure_ascii=False, separators=(",", ":")))
            f.write("\n")


if __name__ == "__main__":
    main()
