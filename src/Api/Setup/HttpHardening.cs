
namespace HealthActors.Api.Setup;

public static class HttpHardening
{
    /// <summary>Kestrel does not name itself in a Server header: the version tells an attacker which advisories to try.</summary>
    public static WebApplicationBuilder AddHealthActorsHttpHardening(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(o => o.AddServerHeader = false);
        return builder;
    }

    /// <summary>
    /// Headers every response carries, set as the response starts so that error pages, 401s and 429s written
    /// by other middleware (which may clear the headers first) get them too.
    /// </summary>
    public static IApplicationBuilder UseHealthActorsSecurityHeaders(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        http.Response.OnStarting(() =>
        {
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            if (CarriesPersonalData(http))
            {
                headers.CacheControl = "no-store";
                headers.Pragma = "no-cache";
            }
            return Task.CompletedTask;
        });
        return next(http);
    });

    /// <summary>
    /// Answers to a signed-in caller hold their own data, and /api/auth answers hold tokens: neither may be kept
    /// by a browser or a shared proxy. Anonymous reads (the catalog, health, docs) stay cacheable.
    /// </summary>
    public static bool CarriesPersonalData(HttpContext http) =>
        http.User.Identity?.IsAuthenticated == true
        || http.Request.Headers.Authorization.Count > 0
        || http.Request.Path.StartsWithSegments("/api/auth")
        || http.Request.Path.StartsWithSegments("/hubs");
}
