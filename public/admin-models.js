// Model file uploads on /admin/models: XHR (for upload progress events) straight to this server,
// streamed to disk there. Resumable: the upload id is remembered per file (name, size, date) in
// localStorage; after a network error, or when the same file is chosen again later, the browser
// asks the server how many bytes it has and sends only the rest. Loaded as a static file: the
// Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  var root = document.getElementById("uploader");
  if (!root) return;
  var startUrl = root.getAttribute("data-start") || "/admin/models/uploads";
  var button = document.getElementById("upload-start");
  var bar = document.getElementById("upload-progress");
  var status = document.getElementById("upload-status");
  var modelfileField = document.getElementById("modelfile-upload-id");
  var MAX_RETRIES = 8;

  function say(text) {
    status.textContent = text;
  }
  function keyOf(kind, file) {
    return "dm-upload:" + kind + ":" + file.name + ":" + file.size + ":" + file.lastModified;
  }
  function json(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: body ? { "Content-Type": "application/json", Accept: "application/json" } : { Accept: "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    }).then(function (res) {
      return res.text().then(function (t) {
        var data = null;
        try { data = t ? JSON.parse(t) : null; } catch (e) { data = null; }
        return { status: res.status, data: data };
      });
    });
  }
  function errorText(r) {
    return (r.data && r.data.error && r.data.error.message) || ("the server answered " + r.status);
  }

  // One PUT of file[offset..]; resolves with the server's JSON, rejects with {retry, message, offset?}.
  function send(id, file, offset, onProgress) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open("PUT", startUrl + "/" + encodeURIComponent(id) + "?offset=" + offset);
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) onProgress(offset + e.loaded);
      };
      xhr.onload = function () {
        var data = null;
        try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
        if (xhr.status === 200 && data && typeof data.received === "number") return resolve(data);
        if (xhr.status === 200) return reject({ retry: false, message: "unexpected answer (signed out?): reload the page" });
        if (xhr.status === 409 && data && typeof data.offset === "number") return reject({ retry: true, offset: data.offset, message: data.error.message });
        reject({ retry: false, message: (data && data.error && data.error.message) || ("the server answered " + xhr.status) });
      };
      xhr.onerror = function () { reject({ retry: true, message: "the connection broke" }); };
      xhr.onabort = function () { reject({ retry: false, message: "cancelled" }); };
      xhr.send(file.slice(offset));
    });
  }

  function uploadOne(kind, file, report) {
    var key = keyOf(kind, file);
    var known = window.localStorage ? localStorage.getItem(key) : null;
    var begin = known
      ? json("GET", startUrl + "/" + encodeURIComponent(known)).then(function (r) {
          if (r.status === 200 && r.data && r.data.status !== "failed") return r.data;
          return null;
        })
      : Promise.resolve(null);
    return begin.then(function (existing) {
      if (existing) return existing;
      return json("POST", startUrl, { kind: kind, filename: file.name, size: file.size }).then(function (r) {
        if (r.status !== 201) throw { message: errorText(r) };
        if (window.localStorage) localStorage.setItem(key, r.data.id);
        return r.data;
      });
    }).then(function (upload) {
      var attempts = 0;
      function step(offset) {
        if (upload.status === "complete") return Promise.resolve(upload);
        return send(upload.id, file, offset, report).then(function (data) {
          upload = data;
          if (data.status === "complete") return data;
          // No progress at all counts as a failed attempt, so that a stuck upload cannot loop forever.
          if (data.received <= offset && ++attempts > MAX_RETRIES) throw { retry: false, message: "the upload makes no progress" };
          // The body ended early (the server kept what arrived): continue from there.
          return step(data.received);
        }, function (err) {
          if (!err.retry || ++attempts > MAX_RETRIES) throw err;
          say(file.name + ": " + err.message + "; resuming…");
          var wait = Math.min(30000, 500 * Math.pow(2, attempts));
          return new Promise(function (r) { setTimeout(r, wait); }).then(function () {
            if (typeof err.offset === "number") return step(err.offset);
            return json("GET", startUrl + "/" + encodeURIComponent(upload.id)).then(function (r) {
              if (r.status !== 200) throw { message: errorText(r) };
              return step(r.data.received);
            });
          });
        });
      }
      return step(upload.received || 0).then(function (done) {
        if (window.localStorage) localStorage.removeItem(key);
        return done;
      }, function (err) {
        // A refused file (not a GGUF, too big) was discarded on the server: forget it here too.
        if (!err.retry && window.localStorage) localStorage.removeItem(key);
        throw err;
      });
    });
  }

  button.addEventListener("click", function () {
    var inputs = root.querySelectorAll("input[type=file][data-kind]");
    var jobs = [];
    var total = 0;
    for (var i = 0; i < inputs.length; i++) {
      var f = inputs[i].files && inputs[i].files[0];
      if (f) {
        jobs.push({ kind: inputs[i].getAttribute("data-kind"), file: f });
        total += f.size;
      }
    }
    if (!jobs.length) return say("Choose at least one file.");
    button.disabled = true;
    bar.hidden = false;
    bar.value = 0;
    var doneBytes = 0;
    var chain = Promise.resolve();
    jobs.forEach(function (job) {
      chain = chain.then(function () {
        say("Uploading " + job.file.name + "…");
        return uploadOne(job.kind, job.file, function (sent) {
          bar.value = total ? Math.floor(((doneBytes + sent) / total) * 100) : 100;
        }).then(function (u) {
          doneBytes += job.file.size;
          bar.value = total ? Math.floor((doneBytes / total) * 100) : 100;
          if (job.kind === "modelfile" && modelfileField) modelfileField.value = u.id;
          say(job.file.name + " uploaded (" + (u.digest || "") + ").");
        });
      });
    });
    chain.then(function () {
      say("All files uploaded and checked. Give the model a name and create it.");
    }, function (err) {
      say("Upload failed: " + ((err && err.message) || err));
    }).then(function () {
      button.disabled = false;
    });
  });
})();
