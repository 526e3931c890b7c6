//! The page at `/`: the course's two forms, as a browser shows them.
//!
//! The first form sends `user`, `user2`, `vote`, `pets` (two boxes ticked) and `comments` to
//! `/foo/bar?hi=john%20doe` as an urlencoded body; the second uploads files as
//! `multipart/form-data`. Submitting either shows what the server read (see `echo.rs`).

use server_core::html::escape;

// ANCHOR: forms_page
/// The HTML of the forms page; `user` is the name remembered in the `user` cookie, if any.
pub fn forms_page(user: Option<&str>) -> String {
    let welcome = match user {
        Some(name) => format!(
            "<p>Welcome back, <b>{}</b> — your browser sent the <code>user</code> cookie this \
             server set. <a href=\"/forget\">Forget me</a> (deletes the cookie).</p>",
            escape(name)
        ),
        None => {
            "<p>Fill in a name and press OK: the server remembers it in a cookie.</p>".to_string()
        }
    };
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Lesson 04: forms</title>
</head>
<body>
<h1>Forms, uploads and cookies</h1>
{welcome}
<h2>A form sent urlencoded</h2>
<form method="post" action="/foo/bar?hi=john%20doe">
<p><label>User: <input type="text" name="user" value="James &amp; Nancy Kirk"></label></p>
<p><label>Second user (leave it blank): <input type="text" name="user2"></label></p>
<p>Vote:
<label><input type="radio" name="vote" value="Y" checked> Yes</label>
<label><input type="radio" name="vote" value="N"> No</label></p>
<p>Pets:
<label><input type="checkbox" name="pets" value="dog" checked> dog</label>
<label><input type="checkbox" name="pets" value="cat" checked> cat</label>
<label><input type="checkbox" name="pets" value="fish"> fish</label></p>
<p><label>Comments:<br><textarea name="comments" rows="3" cols="40"></textarea></label></p>
<p><input type="submit" value="OK"></p>
</form>
<h2>A file upload (multipart/form-data)</h2>
<form method="post" action="/foo/bar" enctype="multipart/form-data">
<p><label>File: <input type="file" name="myfile" multiple></label></p>
<p><input type="submit" value="OK"></p>
</form>
<p>Any other address shows what the server read from the request, for example
<a href="/foo?x=42&amp;y=10">/foo?x=42&amp;y=10</a>, or the same as JSON:
<a href="/json/foo?x=42&amp;y=10">/json/foo?x=42&amp;y=10</a>.</p>
</body>
</html>
"#
    )
}
// ANCHOR_END: forms_page
