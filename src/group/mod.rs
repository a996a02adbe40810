//! The site group: `sites/group.yaml` plus one `sites/<code>.yaml` per site, loaded and checked
//! against the eight unifications. Nothing downstream sees a group that failed the check.

pub mod calendar;
pub mod columns;
pub mod formats;
pub mod inspection;
pub mod model;
pub mod positions;
pub mod problem;
pub mod urls;
pub mod validate;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use model::{ColumnDef, ColumnKind, GroupFile, SiteFile, SiteKind};
use positions::{Pos, Positions};
pub use problem::{Problem, Problems};

/// File name of the group definition inside the sites folder.
pub const GROUP_FILE: &str = "group.yaml";

/// The themes a site may name. `theme` renders sites and so sits above `group`; the group
/// only asks this of it, and `theme` answers for a `themes/` folder on disk.
pub trait ThemeCatalog {
    /// The colour variants of theme `name`, or None when there is no such theme.
    fn variants(&self, name: &str) -> Option<Vec<String>>;
    /// Where the themes are, for the message that names a missing one.
    fn location(&self) -> String;
}

/// A validated site group.
#[derive(Debug, Clone)]
pub struct Group {
    /// The folder the definition was read from; logo and banner paths are relative to it.
    pub dir: PathBuf,
    pub def: GroupFile,
    /// The portal first, then departments, districts and towns, each in code order.
    pub sites: Vec<Site>,
    /// Holidays and adjusted working days, for the deadlines of citizen messages.
    pub calendar: calendar::Calendar,
}

/// A validated site with its derived names.
#[derive(Debug, Clone)]
pub struct Site {
    pub def: SiteFile,
    /// The YAML file it came from.
    pub file: PathBuf,
    /// Full host name, e.g. `fgw.shili.gov.cn`.
    pub host: String,
    /// Theme directory name under `themes/`.
    pub theme: String,
    /// The group's 主题分类 (`GroupFile::topics`), shared by every site.
    pub topics: std::sync::Arc<[String]>,
}

impl Site {
    pub fn code(&self) -> &str {
        &self.def.code
    }
}

impl Group {
    /// Reads and validates the group in `sites_dir`. When `themes` is given (the `themes/`
    /// folder, see `theme`), theme names and variants are checked against it too.
    pub fn load(sites_dir: &Path, themes: Option<&dyn ThemeCatalog>) -> Result<Group, Problems> {
        Group::load_with(sites_dir, themes, &HashMap::new())
    }

    /// [`Group::load`] with some files' text given instead of read: a change judged before it
    /// is written (the admin's column editor).
    pub fn load_with(
        sites_dir: &Path,
        themes: Option<&dyn ThemeCatalog>,
        texts: &HashMap<PathBuf, String>,
    ) -> Result<Group, Problems> {
        let mut problems = Problems::default();
        let group_path = sites_dir.join(GROUP_FILE);
        let group = read_yaml::<GroupFile>(&group_path, &mut problems, texts);
        let mut files = match site_files(sites_dir) {
            Ok(f) => f,
            Err(e) => {
                problems.push(
                    sites_dir,
                    Pos::START,
                    format!("cannot read the sites folder: {e}"),
                    "run zhanqun from the project folder or pass --sites DIR",
                );
                return Err(problems);
            }
        };
        files.sort();
        let parsed: Vec<(PathBuf, SiteFile, Positions)> = files
            .into_iter()
            .filter_map(|path| {
                let (def, text) = read_yaml_with_text::<SiteFile>(&path, &mut problems, texts)?;
                Some((path, def, Positions::index(&text)))
            })
            .collect();
        let Some((group, group_pos)) = group else {
            return Err(problems);
        };
        validate::check_group(&group, &group_path, &group_pos, sites_dir, &mut problems);
        let sources: Vec<validate::SiteSource> =
            parsed.iter().map(|(path, def, positions)| validate::SiteSource { path, def, positions }).collect();
        for s in &sources {
            validate::check_site(&group, s, sites_dir, themes, &mut problems);
        }
        validate::check_unique(&group, &group_path, &group_pos, &sources, &mut problems);
        validate::check_submissions(&group, &group_path, &group_pos, &sources, &mut problems);
        let calendar = calendar::Calendar::load(&sites_dir.join(calendar::CALENDAR_DIR), &mut problems);
        if parsed.is_empty() {
            problems.push(sites_dir, Pos::START, "the group has no sites", "add sites/<code>.yaml files");
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let topics: std::sync::Arc<[String]> = group.topics.clone().into();
        let mut sites: Vec<Site> = parsed
            .into_iter()
            .map(|(file, def, _)| {
                let label = validate::host_label(&group, &def).unwrap_or_else(|_| def.code.clone());
                let theme = def.theme.name.clone().unwrap_or_else(|| group.default_theme.clone());
                Site { host: format!("{label}.{}", group.root_domain), file, theme, def, topics: topics.clone() }
            })
            .collect();
        sites.sort_by(|a, b| (kind_rank(a.def.kind), a.code()).cmp(&(kind_rank(b.def.kind), b.code())));
        Ok(Group { dir: sites_dir.to_path_buf(), def: group, sites, calendar })
    }

    pub fn site(&self, code: &str) -> Option<&Site> {
        self.sites.iter().find(|s| s.code() == code)
    }

    /// The `submissions:` entry of a site that takes 信息报送, if it does.
    pub fn submission_target(&self, code: &str) -> Option<&model::SubmissionTarget> {
        self.def.submissions.iter().find(|t| t.site == code)
    }

    pub fn portal(&self) -> &Site {
        // Validation guarantees the portal exists.
        self.site(&self.def.portal).unwrap_or(&self.sites[0])
    }

    /// Absolute URL of a path on a site, e.g. `https://fgw.shili.gov.cn/gzdt/`.
    pub fn url(&self, site: &Site, path: &str) -> String {
        format!("{}://{}{}", self.def.scheme, site.host, path)
    }

    /// The files whose change affects every site (group file, logo, mark).
    pub fn shared_files(&self) -> Vec<PathBuf> {
        vec![self.dir.join(GROUP_FILE), self.dir.join(&self.def.logo), self.dir.join(&self.def.party_mark)]
    }
}

fn kind_rank(k: SiteKind) -> u8 {
    match k {
        SiteKind::Portal => 0,
        SiteKind::Department => 1,
        SiteKind::District => 2,
        SiteKind::Town => 3,
    }
}

/// Every `*.yaml` in the folder except the group file; sub-folders hold assets and calendars.
fn site_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let is_yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
        if is_yaml && path.is_file() && path.file_name().is_some_and(|n| n != GROUP_FILE) {
            out.push(path);
        }
    }
    Ok(out)
}

fn read_yaml<T: serde::de::DeserializeOwned>(
    path: &Path,
    problems: &mut Problems,
    texts: &HashMap<PathBuf, String>,
) -> Option<(T, Positions)> {
    let (value, text) = read_yaml_with_text(path, problems, texts)?;
    Some((value, Positions::index(&text)))
}

fn read_yaml_with_text<T: serde::de::DeserializeOwned>(
    path: &Path,
    problems: &mut Problems,
    texts: &HashMap<PathBuf, String>,
) -> Option<(T, String)> {
    let read = match texts.get(path) {
        Some(t) => Ok(t.clone()),
        None => std::fs::read_to_string(path),
    };
    let text = match read {
        Ok(t) => t,
        Err(e) => {
            problems.push(path, Pos::START, format!("cannot read: {e}"), "check the file exists and is UTF-8 text");
            return None;
        }
    };
    if let Some(pos) = too_deep(&text) {
        problems.push(
            path,
            pos,
            format!("nesting deeper than {MAX_YAML_DEPTH} levels"),
            "no part of a site definition nests this deep; look for an unclosed [ or { or a runaway indentation",
        );
        return None;
    }
    match serde_norway::from_str::<T>(&text) {
        Ok(v) => Some((v, text)),
        Err(e) => {
            problems.0.push(serde_problem(path, &e));
            None
        }
    }
}

/// How deep a definition may nest. The deepest real one (a column's sub-columns inside a
/// site) stays under 10; both YAML parsers slow down with the square of the depth, so a file
/// nested 100,000 levels deep once took `check` 23 s.
pub const MAX_YAML_DEPTH: usize = 32;

/// Where `text` first nests deeper than `MAX_YAML_DEPTH`, in one pass: flow collections
/// (`[`, `{`) outside quotes and comments, and block nesting by indentation and by `- ` items
/// opened on one line.
fn too_deep(text: &str) -> Option<Pos> {
    let mut flow = 0usize;
    for (n, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let rest = &line[indent..];
        let dashes = rest.split("- ").take_while(|p| p.is_empty()).count();
        if flow == 0 && indent / 2 + dashes > MAX_YAML_DEPTH {
            return Some(Pos { line: n + 1, col: indent + 1 });
        }
        let mut quote: Option<char> = None;
        let mut prev = ' ';
        for (col, c) in line.chars().enumerate() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '\'' | '"') => quote = Some(c),
                (None, '#') if prev == ' ' || col == 0 => break,
                (None, '[' | '{') => {
                    flow += 1;
                    if flow > MAX_YAML_DEPTH {
                        return Some(Pos { line: n + 1, col: col + 1 });
                    }
                }
                (None, ']' | '}') => flow = flow.saturating_sub(1),
                _ => {}
            }
            prev = c;
        }
    }
    None
}

/// Turns a serde error into a located problem with a hint that names the likely fix.
pub fn serde_problem(path: &Path, e: &serde_norway::Error) -> Problem {
    let pos = e.location().map(|l| Pos { line: l.line(), col: l.column() }).unwrap_or(Pos::START);
    let full = e.to_string();
    let message = match full.rfind(" at line ") {
        Some(cut) => full[..cut].to_string(),
        None => full,
    };
    let hint = hint_for(&message);
    Problem { file: path.to_path_buf(), pos, message, hint }
}

fn hint_for(message: &str) -> String {
    let ticked: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    if message.contains("unknown field") {
        if let Some((bad, allowed)) = ticked.split_first() {
            let best = allowed.iter().min_by_key(|a| problem::edit_distance(bad, a));
            return match best {
                Some(b) if problem::edit_distance(bad, b) <= 3 => format!("did you mean `{b}`?"),
                _ => format!("allowed fields: {}", allowed.join(", ")),
            };
        }
    }
    if message.contains("unknown variant") {
        if let Some((_, allowed)) = ticked.split_first() {
            return format!("use one of {}", allowed.join(", "));
        }
    }
    if let Some(field) = message.contains("missing field").then(|| ticked.first()).flatten() {
        return format!("add `{field}: …` to this mapping");
    }
    "see docs/defining-a-site.md for the file format".into()
}
