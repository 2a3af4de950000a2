/* The referral link's Copy button: the clipboard API where the page may use it (HTTPS or localhost),
   else a selected text field and execCommand("copy"); the feedback says which happened. */
(function () {
  "use strict";
  var button = document.getElementById("copy-referral-link");
  var field = document.getElementById("referral-link");
  var feedback = document.getElementById("copy-feedback");
  if (!button || !field || !feedback) { return; }
  var say = function (text, state) { feedback.textContent = text; feedback.dataset.state = state; };
  var fallback = function () {
    field.focus();
    field.select();
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
    if (copied) { say(button.dataset.copied, "copied"); } else { say(button.dataset.failed, "failed"); }
  };
  button.addEventListener("click", function () {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () { say(button.dataset.copied, "copied"); }, fallback);
    } else {
      fallback();
    }
  });
})();
