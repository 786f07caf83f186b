// RostersyncConnect: open a connect link from your app, in a modal (iframe) or a popup.
//
//   <script src="https://connect.example.com/static/connect-embed.js"></script>
//   RostersyncConnect.open({
//     linkUrl: "https://connect.example.com/connect/cl_…",   // from POST /api/v1/links
//     mode: "modal",                                         // or "popup"
//     onSuccess: function (code) { /* POST it to your server: /api/v1/links/exchange */ },
//     onExit: function () {}
//   });
//
// The link must have been created with allowed_origin = your page's origin: only then may
// the flow be framed, and only that origin is sent the code. Messages are accepted from the
// flow's own origin and window only. In a modal on another site than rostersync's, the flow
// is a third party: it keeps its state in partitioned cookies (CHIPS), which needs
// rostersync's public URL to be https. No framework, no dependencies.
(function (global) {
  "use strict";

  function overlay() {
    var shade = document.createElement("div");
    shade.setAttribute("role", "dialog");
    shade.setAttribute("aria-modal", "true");
    shade.setAttribute("aria-label", "Connect your HR system");
    shade.style.cssText = "position:fixed;inset:0;z-index:2147483647;background:rgba(0,0,0,.55);" +
      "display:flex;align-items:center;justify-content:center";
    var box = document.createElement("div");
    box.style.cssText = "position:relative;width:min(720px,100vw);height:min(860px,100vh);" +
      "background:#fff;border-radius:8px;overflow:hidden";
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "\u00d7";
    close.setAttribute("aria-label", "Close");
    close.style.cssText = "position:absolute;top:4px;right:8px;font-size:1.5rem;border:0;" +
      "background:transparent;cursor:pointer";
    var frame = document.createElement("iframe");
    frame.title = "Connect your HR system";
    frame.style.cssText = "width:100%;height:100%;border:0";
    box.appendChild(frame);
    box.appendChild(close);
    shade.appendChild(box);
    return { shade: shade, frame: frame, close: close };
  }

  function open(options) {
    var url = new URL(options.linkUrl, global.location.href);
    var origin = url.origin;
    var onSuccess = options.onSuccess || function () {};
    var onExit = options.onExit || function () {};
    var done = false;
    var child = null;
    var modal = null;
    var timer = null;

    function finish(callback, value) {
      if (done) return;
      done = true;
      global.removeEventListener("message", listen);
      if (timer) global.clearInterval(timer);
      if (modal) modal.shade.remove();
      if (child && !child.closed && options.mode === "popup") child.close();
      callback(value);
    }

    function listen(event) {
      // Only the flow's own window on the flow's own origin: any other page could post too.
      if (event.origin !== origin || event.source !== child) return;
      var data = event.data || {};
      if (data.type === "rostersync:success" && typeof data.code === "string") {
        finish(onSuccess, data.code);
      } else if (data.type === "rostersync:exit") {
        finish(onExit);
      }
    }

    global.addEventListener("message", listen);
    if (options.mode === "popup") {
      child = global.open(url.href, "rostersync-connect", "popup,width=720,height=860");
      if (!child) {
        finish(onExit);
        return { close: function () {} };
      }
      // A popup the admin closes is an exit; there is no message for that.
      timer = global.setInterval(function () { if (child.closed) finish(onExit); }, 500);
    } else {
      modal = overlay();
      modal.close.addEventListener("click", function () { finish(onExit); });
      modal.frame.src = url.href;
      document.body.appendChild(modal.shade);
      child = modal.frame.contentWindow;
    }
    return { close: function () { finish(onExit); } };
  }

  global.RostersyncConnect = { open: open };
})(window);
