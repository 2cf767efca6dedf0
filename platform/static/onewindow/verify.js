// A person's verification page: every step calls the JSON API behind it (CONTRACT §7).
(function () {
  "use strict";
  var root = document.getElementById("verify");
  if (!root) return;
  var api = root.dataset.api;
  var maxBytes = Number(root.dataset.maxImageMb || 5) * 1024 * 1024;
  var state = JSON.parse(document.getElementById("verification-state").textContent);
  var stream = null;

  function $(id) { return document.getElementById(id); }

  function clearErrors() {
    document.querySelectorAll("[data-error-for]").forEach(function (el) { el.hidden = true; el.textContent = ""; });
    $("v-message").hidden = true;
  }

  function showErrors(body) {
    var errors = (body && body.errors) || {};
    var shown = false;
    Object.keys(errors).forEach(function (field) {
      var el = document.querySelector("[data-error-for='" + field + "']");
      if (el) { el.textContent = errors[field].join(" "); el.hidden = false; shown = true; }
    });
    if (!shown) { $("v-message").textContent = (body && body.message) || "出错了 / something went wrong"; $("v-message").hidden = false; }
  }

  function render() {
    var step = state.next_step;
    root.dataset.step = step;
    root.dataset.status = state.status;
    $("step-code").hidden = !(step === "send_code" || step === "enter_code");
    $("step-face").hidden = step !== "face";
    $("step-consent").hidden = step !== "consent";
    $("v-done").hidden = step !== "done";
    var closed = step === "closed";
    $("v-closed").hidden = !closed;
    if (closed) {
      $("v-closed").textContent = state.status === "expired"
        ? "核验链接已过期 / this link has expired"
        : state.status === "failed"
          ? "本次核验未通过 / this verification failed"
          : "该申请已不再等待核验 / the application no longer waits for verification";
    }
    var wait = state.steps.code.resend_after;
    $("resend-wait").textContent = wait > 0 ? "（" + wait + " 秒后可重新获取 / resend in " + wait + " s）" : "";
    if (state.steps.face.outcome) {
      $("face-done").hidden = false;
      $("face-done").textContent = state.steps.face.outcome === "review" ? "人脸比对待人工复核 / a reviewer will compare the faces" : "人脸比对通过 / face matched";
    }
  }

  function call(path, options) {
    clearErrors();
    return fetch(api + path, Object.assign({ credentials: "same-origin", headers: { Accept: "application/json" } }, options))
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (response.ok) { state = body; render(); return body; }
          showErrors(body);
          return refresh().then(function () { return null; });
        });
      })
      .catch(function () { showErrors({ message: "网络错误，请重试 / network error, try again" }); return null; });
  }

  function refresh() {
    return fetch(api, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) { if (body) { state = body; render(); } });
  }

  function postJson(path, data) {
    return call(path, { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify(data) });
  }

  function sendImage(blob, name) {
    if (blob.size > maxBytes) {
      showErrors({ errors: { image: ["照片过大 / the photo is too large"] } });
      return Promise.resolve(null);
    }
    var form = new FormData();
    form.append("image", blob, name);
    return call("face/", { method: "POST", body: form }).then(function (body) {
      if (body && stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
      return body;
    });
  }

  $("send-code").addEventListener("click", function () {
    var phone = $("v-phone").value.trim();
    postJson("send-code/", phone ? { phone: phone } : {});
  });
  $("check-code").addEventListener("click", function () { postJson("code/", { code: $("v-code").value.trim() }); });
  $("give-consent").addEventListener("click", function () { postJson("consent/", { consent: $("v-consent").checked }); });

  $("camera-start").addEventListener("click", function () {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { $("camera-missing").hidden = false; return; }
    navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false })
      .then(function (s) {
        stream = s;
        var video = $("camera");
        video.srcObject = s;
        video.hidden = false;
        video.addEventListener("loadeddata", function () {
          root.dataset.camera = "ready";
          $("camera-capture").hidden = false;
        }, { once: true });
      })
      .catch(function () { $("camera-missing").hidden = false; });
  });

  $("camera-capture").addEventListener("click", function () {
    var video = $("camera");
    var canvas = $("snapshot");
    canvas.width = video.videoWidth || 640;
    canvas.height = video.videoHeight || 480;
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    canvas.toBlob(function (blob) { if (blob) sendImage(blob, "selfie.jpg"); }, "image/jpeg", 0.92);
  });

  $("upload-image").addEventListener("click", function () {
    var file = $("v-image").files[0];
    if (!file) { showErrors({ errors: { image: ["请选择照片 / choose a photo"] } }); return; }
    sendImage(file, file.name);
  });

  render();
  // The resend countdown and a change made elsewhere (another device) show without a reload.
  setInterval(function () { if (state.next_step !== "done" && state.next_step !== "closed") refresh(); }, 5000);
})();
