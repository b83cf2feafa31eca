//! One module per page (or per group of pages on one route).

pub mod board;
pub mod console;
pub mod find_workspace;
pub mod forgot_password;
pub mod home;
pub mod invite;
pub mod not_found;
pub mod reset_password;
pub mod settings;
pub mod sign_in;
pub mod signup;
pub mod staff_setup;
pub mod verify;
pub mod welcome;
