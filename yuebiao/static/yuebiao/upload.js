// Upload progress for forms posted with HTMX: the bytes sent, then the server's checking stage.
(function () {
  document.addEventListener("htmx:xhr:progress", function (evt) {
    var bar = document.getElementById("upload-progress");
    var stage = document.getElementById("upload-stage");
    if (!bar || !evt.detail.lengthComputable) return;
    var pct = Math.round((evt.detail.loaded / evt.detail.total) * 100);
    bar.value = pct;
    stage.textContent = pct < 100 ? stage.dataset.uploading + " " + pct + "%" : stage.dataset.checking;
  });
})();
