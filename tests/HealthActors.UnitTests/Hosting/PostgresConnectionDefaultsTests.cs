using HealthActors.Grains.Hosting;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace HealthActors.UnitTests.Hosting;

/// <summary>The Npgsql defaults every host adds to ConnectionStrings:Postgres, as ClusterSettings.From reads them.</summary>
public sealed class PostgresConnectionDefaultsTests
{
    private static ClusterSettings Settings(string? postgres, string? tuning = null)
    {
        var values = new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = postgres };
        if (tuning is not null) values[PostgresConnectionDefaults.TuningKey] = tuning;
        return ClusterSettings.From(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
    }

    private static NpgsqlConnectionStringBuilder Parsed(string? s) => new(s);

    [Fact]
    public void Applied_by_default_and_everything_else_kept()
    {
        var given = "Host=127.0.0.1;Port=55532;Username=postgres;Password=\"se;cret\";Database=ha;Maximum Pool Size=60";
        var tuned = Parsed(Settings(given).Postgres);

        Assert.True(tuned.NoResetOnClose);
        Assert.Equal(PostgresConnectionDefaults.MaxAutoPrepare, tuned.MaxAutoPrepare);
        Assert.Equal(64, tuned.MaxAutoPrepare);
        var original = Parsed(given);
        Assert.Equal(original.Host, tuned.Host);
        Assert.Equal(original.Port, tuned.Port);
        Assert.Equal(original.Username, tuned.Username);
        Assert.Equal("se;cret", tuned.Password);
        Assert.Equal(original.Database, tuned.Database);
        Assert.Equal(60, tuned.MaxPoolSize);
    }

    [Theory]
    [InlineData("No Reset On Close=false", false, 64)]
    [InlineData("NoResetOnClose=False", false, 64)]
    [InlineData("no reset on close=true", true, 64)]
    [InlineData("Max Auto Prepare=0", true, 0)]
    [InlineData("MaxAutoPrepare=10", true, 10)]
    [InlineData("No Reset On Close=false;Max Auto Prepare=0", false, 0)]
    public void An_operators_explicit_value_wins_even_when_it_is_the_default(string explicitPart, bool noReset, int maxAutoPrepare)
    {
        var tuned = Parsed(Settings("Host=db;Database=ha;" + explicitPart).Postgres);

        Assert.Equal(noReset, tuned.NoResetOnClose);
        Assert.Equal(maxAutoPrepare, tuned.MaxAutoPrepare);
    }

    [Theory]
    [InlineData("false")]
    [InlineData("False")]
    public void Tuning_false_leaves_the_connection_string_exactly_as_given(string tuning)
    {
        var given = "Host=db;Database=ha;Maximum Pool Size=60";

        Assert.Equal(given, Settings(given, tuning).Postgres);
    }

    [Fact]
    public void Tuning_true_is_the_default()
    {
        Assert.Equal(Settings("Host=db").Postgres, Settings("Host=db", "true").Postgres);
        Assert.NotEqual("Host=db", Settings("Host=db").Postgres);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void No_connection_string_stays_none(string? given)
    {
        var settings = Settings(given);

        Assert.Null(settings.Postgres);
        Assert.False(settings.UsesPostgres);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Apply_leaves_null_and_blank_untouched(string? given)
    {
        Assert.Equal(given, PostgresConnectionDefaults.Apply(given));
    }

    [Fact]
    public void Applying_twice_changes_nothing_more()
    {
        var once = PostgresConnectionDefaults.Apply("Host=db;Database=ha;Maximum Pool Size=60");

        Assert.Equal(once, PostgresConnectionDefaults.Apply(once));
    }
}
