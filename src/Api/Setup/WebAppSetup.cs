using Microsoft.Extensions.FileProviders;

namespace HealthActors.Api.Setup;

/// <summary>
/// Serves the built web app (web/dist) at "/": its files, and index.html for any other GET outside the API's own
/// paths, so that the app's history routes (/profile, /chat/...) survive a reload. The API, hubs, docs, OpenAPI and
/// health paths never reach it and answer exactly as before.
/// </summary>
public static class WebAppSetup
{
    private static readonly string[] ApiPaths = ["/api", "/hubs", "/docs", "/scalar", "/openapi", "/health"];

    /// <summary>
    /// Api:WebRoot when set; otherwise the first web/dist with an index.html found walking up from the content root,
    /// which is where <c>npm run build</c> leaves it for both <c>dotnet run --project src/Api</c> and ./run.sh.
    /// </summary>
    public static string? FindWebRoot(IConfiguration configuration, string contentRoot)
    {
        if (configuration["Api:WebRoot"] is { Length: > 0 } configured)
            return File.Exists(Path.Combine(configured, "index.html")) ? Path.GetFullPath(configured) : null;
        for (var dir = new DirectoryInfo(contentRoot); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "web", "dist");
            if (File.Exists(Path.Combine(candidate, "index.html"))) return candidate;
        }
        return null;
    }

    public static WebApplication UseHealthActorsWebApp(this WebApplication app)
    {
        var root = FindWebRoot(app.Configuration, app.Environment.ContentRootPath);
        if (root is null)
        {
            app.Logger.LogInformation("Web app: not built (run `npm ci && npm run build` in web/, or set Api:WebRoot); / answers 404");
            return app;
        }
        app.Logger.LogInformation("Web app: serving {WebRoot} at /", root);

        app.Use((http, next) =>
        {
            if (!IsWebAppRequest(http.Request)) return next(http);
            // A path without an extension is one of the app's routes; a missing asset (with one) stays a 404.
            if (!Path.HasExtension(http.Request.Path.Value)) http.Request.Path = "/index.html";
            http.Response.OnStarting(() =>
            {
                http.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy(http.Request);
                return Task.CompletedTask;
            });
            return next(http);
        });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(root),
            OnPrepareResponse = ctx =>
            {
                // Vite puts a content hash in every asset's name, so those never change; index.html names the current ones.
                ctx.Context.Response.Headers.CacheControl = ctx.Context.Request.Path.StartsWithSegments("/assets")
                    ? "public, max-age=31536000, immutable"
                    : "no-cache";
            },
        });
        return app;
    }

    public static bool IsWebAppRequest(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        && !ApiPaths.Any(p => request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Only this origin: no inline script or style, no other host. SignalR's WebSocket is named with the request's own
    /// host because older browsers do not count ws:/wss: as 'self'.
    /// </summary>
    public static string ContentSecurityPolicy(HttpRequest request)
    {
        var host = request.Host.HasValue ? request.Host.Value : "localhost";
        return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
            + $"connect-src 'self' ws://{host} wss://{host}; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
    }
}
