//! `zhanqun check`: the group and its themes validated, each problem at `FILE:LINE:COL`.

use std::process::ExitCode;

use zhanqun::group::Group;
use zhanqun::project::Paths;

pub fn check(paths: &Paths) -> ExitCode {
    match Group::load(&paths.sites, Some(&paths.themes)) {
        Ok(group) => match zhanqun::theme::Themes::load(&paths.themes, group.sites.iter().map(|s| s.theme.as_str())) {
            Ok(_) => {
                println!("{}: {} sites, all checks passed", group.def.name, group.sites.len());
                ExitCode::SUCCESS
            }
            Err(e) => {
                println!("{e}");
                ExitCode::FAILURE
            }
        },
        Err(problems) => {
            for p in problems.iter() {
                println!("{p}");
            }
            eprintln!("{} problem(s) found", problems.len());
            ExitCode::FAILURE
        }
    }
}
