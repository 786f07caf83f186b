// The finish and exit pages of a link that a product embeds (web/handoff.py): tell the window
// that opened or framed this page, and only if it is the link's allowed origin (postMessage's
// targetOrigin: the browser drops the message for any other origin; never "*").
(function () {
  "use strict";
  var el = document.getElementById("handoff");
  if (!el) return;
  var origin = el.getAttribute("data-origin");
  var message = { type: el.getAttribute("data-message") };
  var code = el.getAttribute("data-code");
  if (code) message.code = code;
  var target = window.opener && window.opener !== window ? window.opener
    : (window.parent !== window ? window.parent : null);
  if (origin && target) target.postMessage(message, origin);
})();
