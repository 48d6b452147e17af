//! Naming rules: series from the folder, issue number from ComicInfo or the file name, and the
//! file name template.

pub use super::filename::normalise_number;
pub use app::naming::*;

/// Series from a folder name: `_ ` stands for `:` (folders cannot hold colons everywhere).
pub fn series_from_folder(folder_name: &str) -> String {
    folder_name.replace("_ ", ": ").trim().to_string()
}

/// The issue number in a file name (extension included or not), normalised (`003` → `3`):
/// what [`super::filename::parse`] reads as the issue.
pub fn issue_from_name(file_name: &str) -> Option<String> {
    super::filename::parse(file_name).issue
}

/// The extension of a file name including the dot, as written (`.CBZ` stays `.CBZ`).
pub fn extension(name: &str) -> &str {
    name.rfind('.').map_or("", |i| &name[i..])
}

/// The file name without its extension.
pub fn stem(name: &str) -> &str {
    &name[..name.len() - extension(name).len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_numbers_from_real_world_names() {
        let cases: &[(&str, Option<&str>)] = &[
            ("Batman ch 12.cbz", Some("12")),
            ("Batman ch12.cbz", Some("12")),
            ("Batman CH 14 (2016) (digital).cbz", Some("14")),
            ("Saga #003 (2012).cbz", Some("3")),
            ("Saga #3.cbz", Some("3")),
            ("Saga # 3.cbz", Some("3")),
            ("spider man chapter 7.5.cbz", Some("7.5")),
            ("Spider-Man Chapter 008.cbz", Some("8")),
            ("One_Piece_Issue_2.cbz", Some("2")),
            ("One Piece issue-1000.cbz", Some("1000")),
            ("TWD No. 48 (2008) (digital).cbz", Some("48")),
            ("TWD no.49.cbz", Some("49")),
            ("TWD No 50.cbr", Some("50")),
            ("Invincible - Chapter 0005.cbz", Some("5")),
            ("invincible 006.CBZ", Some("6")),
            ("Batman Year One 001.cbz", Some("1")),
            ("X-Men 097 (1975).cbz", Some("97")),
            ("X-Men (1991) 001.cbz", Some("1")),
            ("Hellboy (2004) #5 [Dark Horse].cbz", Some("5")),
            ("[Group] Berserk 12.cbz", Some("12")),
            ("[Group] Berserk v01 ch 012.cbz", Some("12")),
            ("Berserk v01 c001 [Scans].cbz", Some("1")),
            ("Naruto Chapter 700.1.cbz", Some("700.1")),
            ("Naruto_ch_699.cbz", Some("699")),
            ("Naruto.ch.698.cbz", Some("698")),
            ("Punch 5.cbz", Some("5")),
            ("Punchline ch 3.cbz", Some("3")),
            ("Richie Rich 12.cbz", Some("12")),
            ("Watchmen (1986).cbz", None),
            ("Watchmen.cbz", None),
            ("2000 AD 1234.cbz", Some("1234")),
            ("Monster #0.cbz", Some("0")),
            ("Monster ch 000.cbz", Some("0")),
            ("Akira Chapter 12.50.cbz", Some("12.50")),
            ("Saga #054 (2018) (Digital) (Zone-Empire).cbz", Some("54")),
            ("Daredevil (2019) Issue 25 (of 36).cbz", Some("25")),
            ("Sandman_ Overture #6.cbz", Some("6")),
            ("Sandman {HQ} 7.cbr", Some("7")),
            ("BPRD - Hell on Earth No.120.cbz", Some("120")),
            ("Y The Last Man 060 (2008) (c2c).cbz", Some("60")),
            ("Chew CHAPTER 45.cbz", Some("45")),
            ("Fables 150 - Farewell.cbz", Some("150")),
            ("The Boys #1.5 Special.cbz", Some("1.5")),
            ("ch 3.cbz", Some("3")),
        ];
        assert!(cases.len() >= 40);
        for (name, want) in cases {
            assert_eq!(issue_from_name(name).as_deref(), *want, "{name}");
        }
    }

    #[test]
    fn series_from_folders() {
        assert_eq!(series_from_folder("Batman_ Year One"), "Batman: Year One");
        assert_eq!(series_from_folder("Saga"), "Saga");
        assert_eq!(
            series_from_folder("Star Wars_ Doctor Aphra_ Vol 2"),
            "Star Wars: Doctor Aphra: Vol 2"
        );
        assert_eq!(series_from_folder("snake_case"), "snake_case");
    }
}
