//! The embedded Postgres: a private cluster in a data folder of the checkout, run with the
//! PostgreSQL binaries installed on the machine (README, "Configuration").
//!
//! The server, the CLI and the test harness may all use one cluster at the same time, so
//! start and stop follow a small locking protocol on two files beside the cluster:
//! `postgres.lock` serialises starting and stopping, and every live user holds a shared lock
//! on `postgres.users`. A user that stops takes the exclusive lock on `postgres.users`
//! without waiting: if it gets it, nobody else is using the cluster and it is stopped.

use std::{
    fs::{self, File, OpenOptions},
    io::Write,
    net::TcpListener,
    os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt},
    path::{Path, PathBuf},
    process::Command,
};

use sha2::{Digest, Sha256};

use crate::Error;

/// How the cluster is tuned when this process is the one that starts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tuning {
    /// Durable settings for the app's own data.
    Durable,
    /// Throw-away test databases: no fsync, more connections for parallel tests.
    Tests,
}

/// A running embedded cluster that this process is using.
#[derive(Debug)]
pub struct Embedded {
    base_url: String,
    cluster_dir: PathBuf,
    lock_path: PathBuf,
    users_path: PathBuf,
    bin_dir: PathBuf,
    /// Our shared lock on `postgres.users`, held while we use the cluster.
    users_lock: Option<File>,
}

/// The data folder: `HCRM_DATA_DIR` if set, else `.data` in the checkout (the nearest
/// folder upwards that has a `Leptos.toml`), else `.data` in the current folder.
pub fn default_data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("HCRM_DATA_DIR") {
        return PathBuf::from(dir);
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    cwd.ancestors()
        .find(|dir| dir.join("Leptos.toml").is_file())
        .unwrap_or(&cwd)
        .join(".data")
}

impl Embedded {
    /// Starts the cluster in `data_dir/<name>` (creating it on first use), or joins it if
    /// it is already running. Blocks while another process starts or stops it.
    pub fn start(data_dir: &Path, name: &str, tuning: Tuning) -> Result<Embedded, Error> {
        fs::create_dir_all(data_dir).map_err(|e| setup(format!("{}: {e}", data_dir.display())))?;
        let data_dir = data_dir
            .canonicalize()
            .map_err(|e| setup(format!("{}: {e}", data_dir.display())))?;
        let bin_dir = find_bin_dir()?;
        let as_root = running_as_root();
        let cluster_dir = cluster_location(&data_dir, name, as_root)?;
        let lock_path = data_dir.join(format!("{name}.lock"));
        let users_path = data_dir.join(format!("{name}.users"));
        let password_path = data_dir.join(format!("{name}.password"));

        let start_lock = open_lock(&lock_path)?;
        start_lock
            .lock()
            .map_err(|e| setup(format!("locking {name}: {e}")))?;

        if !cluster_dir.join("PG_VERSION").is_file() {
            init_cluster(&bin_dir, &cluster_dir, &password_path, as_root)?;
        }
        let password = fs::read_to_string(&password_path)
            .map_err(|e| setup(format!("{}: {e}", password_path.display())))?;
        let port = match running_port(&bin_dir, &cluster_dir, as_root) {
            Some(port) => port,
            None => start_cluster(&bin_dir, &cluster_dir, tuning, as_root)?,
        };

        let users_lock = open_lock(&users_path)?;
        users_lock
            .lock_shared()
            .map_err(|e| setup(format!("locking {name}: {e}")))?;
        drop(start_lock);

        Ok(Embedded {
            base_url: format!("postgres://postgres:{}@127.0.0.1:{port}", password.trim()),
            cluster_dir,
            lock_path,
            users_path,
            bin_dir,
            users_lock: Some(users_lock),
        })
    }

    /// The owner's URL for `database` on this cluster.
    pub fn url(&self, database: &str) -> String {
        format!("{}/{database}", self.base_url)
    }

    /// Creates `database` if it does not exist yet and returns its owner URL.
    pub async fn ensure_database(&self, database: &str) -> Result<String, Error> {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&self.url("postgres")).await?;
        // Instances starting together would otherwise race: two CREATE DATABASE at once
        // collide on the name or on the template being in use.
        sqlx::query("select pg_advisory_lock(727278)")
            .execute(&mut conn)
            .await?;
        let exists: bool =
            sqlx::query_scalar("select exists (select 1 from pg_database where datname = $1)")
                .bind(database)
                .fetch_one(&mut conn)
                .await?;
        if !exists {
            let create = format!("create database \"{}\"", database.replace('"', ""));
            if let Err(e) = sqlx::raw_sql(&create).execute(&mut conn).await {
                // Another process may have created it between our check and now.
                let raced = e
                    .as_database_error()
                    .and_then(|d| d.code())
                    .is_some_and(|code| code == "42P04" || code == "23505");
                if !raced {
                    return Err(e.into());
                }
            }
        }
        conn.close().await?;
        Ok(self.url(database))
    }

    /// Restarts the cluster the way an operator would (`pg_ctl restart -m fast`): open
    /// connections end with `admin_shutdown`, and it comes back on the same port.
    pub fn restart(&self) -> Result<(), Error> {
        let cluster = self.cluster_dir.display().to_string();
        // With its log file named, the new server does not hold our output pipe open.
        let log = self.cluster_dir.join("server.log").display().to_string();
        run(
            &self.bin_dir.join("pg_ctl"),
            &[
                "-D", &cluster, "-l", &log, "-m", "fast", "-w", "-t", "60", "restart",
            ],
            running_as_root(),
        )
    }

    /// Stops using the cluster, and stops the cluster itself if no other process uses it.
    pub fn stop(mut self) -> Result<(), Error> {
        let start_lock = open_lock(&self.lock_path)?;
        start_lock
            .lock()
            .map_err(|e| setup(format!("locking: {e}")))?;
        drop(self.users_lock.take());
        let users = open_lock(&self.users_path)?;
        if users.try_lock().is_ok() {
            tracing::info!(cluster = %self.cluster_dir.display(), "stopping embedded Postgres");
            let pg_ctl = self.bin_dir.join("pg_ctl");
            let cluster = self.cluster_dir.display().to_string();
            run(
                &pg_ctl,
                &["-D", &cluster, "-m", "fast", "-w", "stop"],
                running_as_root(),
            )?;
        }
        Ok(())
    }
}

/// The installed PostgreSQL binaries: `initdb` on PATH, else the newest
/// `/usr/lib/postgresql/<version>/bin`.
fn find_bin_dir() -> Result<PathBuf, Error> {
    let on_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file());
    if let Some(dir) = on_path {
        return Ok(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(version, bin)| *version >= 15 && bin.join("initdb").is_file())
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).ok_or_else(|| {
        setup(
            "PostgreSQL 15 or newer is not installed (apt-get install postgresql), \
             and DATABASE_URL is not set"
                .into(),
        )
    })
}

/// Where the cluster's files live. Postgres refuses to run as root, so as root the cluster
/// belongs to the `postgres` user, which must be able to reach the folder; when the
/// checkout is somewhere it cannot (say under `/root`), the cluster goes to `/var/tmp`.
fn cluster_location(data_dir: &Path, name: &str, as_root: bool) -> Result<PathBuf, Error> {
    let inside = data_dir.join(name);
    if !as_root || postgres_can_reach(data_dir) {
        return Ok(inside);
    }
    let digest = Sha256::digest(data_dir.as_os_str().as_encoded_bytes());
    let tag: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    let outside = PathBuf::from(format!("/var/tmp/hcrm-{tag}-{name}"));
    tracing::info!(
        cluster = %outside.display(),
        "the postgres user cannot reach {}; keeping the cluster outside the checkout",
        data_dir.display()
    );
    Ok(outside)
}

fn postgres_can_reach(dir: &Path) -> bool {
    Command::new("runuser")
        .args(["-u", "postgres", "--", "test", "-x"])
        .arg(dir)
        .status()
        .is_ok_and(|status| status.success())
}

fn init_cluster(
    bin_dir: &Path,
    cluster_dir: &Path,
    password_path: &Path,
    as_root: bool,
) -> Result<(), Error> {
    tracing::info!(cluster = %cluster_dir.display(), "creating embedded Postgres cluster");
    if cluster_dir.exists() {
        // A half-made cluster from an interrupted initdb: start again.
        fs::remove_dir_all(cluster_dir).map_err(|e| setup(e.to_string()))?;
    }
    fs::create_dir_all(cluster_dir).map_err(|e| setup(e.to_string()))?;
    fs::set_permissions(cluster_dir, fs::Permissions::from_mode(0o700))
        .map_err(|e| setup(e.to_string()))?;

    let password = hex(&rand::random::<[u8; 24]>());
    write_private(password_path, &password)?;
    // initdb reads the superuser's password from a file that it (maybe as `postgres`) can read.
    let pwfile = cluster_dir.with_extension("pwfile");
    write_private(&pwfile, &password)?;
    if as_root {
        chown_to_postgres(cluster_dir)?;
        chown_to_postgres(&pwfile)?;
    }
    let result = run(
        &bin_dir.join("initdb"),
        &[
            "-D",
            &cluster_dir.display().to_string(),
            "-U",
            "postgres",
            "--auth=scram-sha-256",
            &format!("--pwfile={}", pwfile.display()),
            "-E",
            "UTF8",
            "--no-locale",
        ],
        as_root,
    );
    let _ = fs::remove_file(&pwfile);
    result
}

/// The port of the cluster if its postmaster is running.
fn running_port(bin_dir: &Path, cluster_dir: &Path, as_root: bool) -> Option<u16> {
    let cluster = cluster_dir.display().to_string();
    run(
        &bin_dir.join("pg_ctl"),
        &["-D", &cluster, "status"],
        as_root,
    )
    .ok()?;
    // postmaster.pid: pid, data directory, start time, port, ...
    let pid_file = fs::read_to_string(cluster_dir.join("postmaster.pid")).ok()?;
    pid_file.lines().nth(3)?.trim().parse().ok()
}

fn start_cluster(
    bin_dir: &Path,
    cluster_dir: &Path,
    tuning: Tuning,
    as_root: bool,
) -> Result<u16, Error> {
    let settings = match tuning {
        Tuning::Durable => "-c max_connections=100",
        Tuning::Tests => {
            "-c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        }
    };
    let cluster = cluster_dir.display().to_string();
    let log = cluster_dir.join("server.log").display().to_string();
    let mut last_error = None;
    // The free port we pick may be taken by someone else before Postgres binds it.
    for _ in 0..3 {
        let port = free_port()?;
        let options = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' {settings}"
        );
        let args = [
            "-D", &cluster, "-l", &log, "-w", "-t", "60", "-o", &options, "start",
        ];
        match run(&bin_dir.join("pg_ctl"), &args, as_root) {
            Ok(()) => {
                tracing::info!(port, cluster = %cluster, "embedded Postgres started");
                return Ok(port);
            }
            Err(e) => last_error = Some(e),
        }
    }
    Err(last_error.unwrap_or_else(|| setup("could not start Postgres".into())))
}

fn free_port() -> Result<u16, Error> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| setup(e.to_string()))?;
    let port = listener
        .local_addr()
        .map_err(|e| setup(e.to_string()))?
        .port();
    Ok(port)
}

/// Runs a PostgreSQL tool, as the `postgres` user when we are root.
fn run(program: &Path, args: &[&str], as_root: bool) -> Result<(), Error> {
    let mut command = if as_root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    };
    let output = command
        .args(args)
        .output()
        .map_err(|e| setup(format!("{}: {e}", program.display())))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(setup(format!(
            "{} {} failed: {}{}",
            program.display(),
            args.last().unwrap_or(&""),
            String::from_utf8_lossy(&output.stderr).trim(),
            String::from_utf8_lossy(&output.stdout).trim()
        )))
    }
}

fn chown_to_postgres(path: &Path) -> Result<(), Error> {
    let status = Command::new("chown")
        .args(["-R", "postgres:postgres"])
        .arg(path)
        .status()
        .map_err(|e| setup(e.to_string()))?;
    if status.success() {
        Ok(())
    } else {
        Err(setup(format!("chown {} failed", path.display())))
    }
}

fn open_lock(path: &Path) -> Result<File, Error> {
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| setup(format!("{}: {e}", path.display())))
}

fn write_private(path: &Path, contents: &str) -> Result<(), Error> {
    let mut file = OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| setup(format!("{}: {e}", path.display())))?;
    file.write_all(contents.as_bytes())
        .map_err(|e| setup(e.to_string()))
}

fn running_as_root() -> bool {
    fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn setup(message: String) -> Error {
    Error::Setup(format!("embedded Postgres: {message}"))
}
