//! Themes (`themes/<name>/`): minijinja templates, static assets and colour variants. What a
//! theme may not change, the group-owned locked parts, lives in `locked`.

pub mod locked;
pub mod modes;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use minijinja::Environment;
use serde::{Deserialize, Serialize};

/// Templates every theme must provide.
pub const TEMPLATES: &[&str] = &[
    "home.html",
    "column.html",
    "article.html",
    "404.html",
    "search.html",
    "contact.html",
    "sitemap.html",
    "interaction.html",
    "replies.html",
    "reply.html",
    "status.html",
    "solicitation.html",
];

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("{path}: cannot read theme manifest: {reason} (each theme has a theme.yaml with its variants)")]
    Manifest { path: PathBuf, reason: String },
    #[error("{path}:{line}: template error: {reason}")]
    Template { path: PathBuf, line: usize, reason: String },
}

/// `themes/<name>/theme.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeManifest {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Colour variants a site may choose with `theme.variant`.
    pub variants: BTreeMap<String, Palette>,
}

/// A colour variant; the values become CSS custom properties.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Palette {
    pub primary: String,
    pub dark: String,
    pub light: String,
    pub accent: String,
}

impl ThemeManifest {
    pub fn load(dir: &Path) -> Result<ThemeManifest, ThemeError> {
        let path = dir.join("theme.yaml");
        let err = |reason: String| ThemeError::Manifest { path: path.clone(), reason };
        let text = std::fs::read_to_string(&path).map_err(|e| err(e.to_string()))?;
        serde_norway::from_str(&text).map_err(|e| err(e.to_string()))
    }
}

/// A `themes/` folder answers the group's question which themes and variants exist.
impl crate::group::ThemeCatalog for Path {
    fn variants(&self, name: &str) -> Option<Vec<String>> {
        ThemeManifest::load(&self.join(name)).ok().map(|m| m.variants.into_keys().collect())
    }

    fn location(&self) -> String {
        self.display().to_string()
    }
}

impl crate::group::ThemeCatalog for PathBuf {
    fn variants(&self, name: &str) -> Option<Vec<String>> {
        self.as_path().variants(name)
    }

    fn location(&self) -> String {
        self.as_path().location()
    }
}

/// A loaded theme with its compiled templates.
pub struct Theme {
    pub name: String,
    pub dir: PathBuf,
    pub manifest: ThemeManifest,
    pub env: Environment<'static>,
}

impl Theme {
    pub fn load(themes_dir: &Path, name: &str) -> Result<Theme, ThemeError> {
        let dir = themes_dir.join(name);
        let manifest = ThemeManifest::load(&dir)?;
        let templates = dir.join("templates");
        let mut env = Environment::new();
        env.set_loader(minijinja::path_loader(&templates));
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.set_formatter(html_formatter);
        // Compile everything now, so a broken template stops the build before any page is written.
        for t in TEMPLATES {
            env.get_template(t).map_err(|e| template_error(&templates, e))?;
        }
        Ok(Theme { name: name.to_string(), dir, manifest, env })
    }

    pub fn static_dir(&self) -> PathBuf {
        self.dir.join("static")
    }

    pub fn palette(&self, variant: &str) -> Option<&Palette> {
        self.manifest.variants.get(variant)
    }
}

/// Turns a minijinja error into one that names the template file and line.
pub fn template_error(templates: &Path, e: minijinja::Error) -> ThemeError {
    let name = e.name().unwrap_or("?").to_string();
    let mut reason = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        reason.push_str(&format!(": {s}"));
        source = s.source();
    }
    ThemeError::Template { path: templates.join(name), line: e.line().unwrap_or(1), reason }
}

/// HTML-escapes strings like minijinja's default formatter, but leaves `/` alone: escaping it
/// buys no safety inside text or quoted attributes and would mangle every 索引号 and URL.
pub fn html_formatter(
    out: &mut minijinja::Output,
    state: &minijinja::State,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    if matches!(state.auto_escape(), minijinja::AutoEscape::Html) && !value.is_safe() {
        if let Some(s) = value.as_str() {
            let mut start = 0;
            for (i, b) in s.bytes().enumerate() {
                let rep = match b {
                    b'&' => "&amp;",
                    b'<' => "&lt;",
                    b'>' => "&gt;",
                    b'"' => "&quot;",
                    b'\'' => "&#39;",
                    _ => continue,
                };
                out.write_str(&s[start..i]).map_err(minijinja::Error::from)?;
                out.write_str(rep).map_err(minijinja::Error::from)?;
                start = i + 1;
            }
            return out.write_str(&s[start..]).map_err(minijinja::Error::from);
        }
    }
    minijinja::escape_formatter(out, state, value)
}

/// Every theme the group uses, plus the locked parts.
pub struct Themes {
    pub dir: PathBuf,
    pub themes: HashMap<String, Theme>,
    pub locked: locked::LockedTemplates,
}

impl Themes {
    pub fn load<'a>(dir: &Path, names: impl IntoIterator<Item = &'a str>) -> Result<Themes, ThemeError> {
        let mut themes = HashMap::new();
        for name in names {
            if !themes.contains_key(name) {
                themes.insert(name.to_string(), Theme::load(dir, name)?);
            }
        }
        Ok(Themes { dir: dir.to_path_buf(), themes, locked: locked::LockedTemplates::load(dir)? })
    }

    pub fn get(&self, name: &str) -> Option<&Theme> {
        self.themes.get(name)
    }
}
