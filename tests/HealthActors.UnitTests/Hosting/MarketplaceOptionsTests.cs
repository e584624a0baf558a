using HealthActors.Grains.Abstractions.Marketplace;
using HealthActors.Grains.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HealthActors.UnitTests.Hosting;

/// <summary>Marketplace:CommitsInFlight as the silo's own registration reads and checks it.</summary>
public sealed class MarketplaceOptionsTests
{
    private static MarketplaceOptions Read(string? commitsInFlight)
    {
        var values = new Dictionary<string, string?>();
        if (commitsInFlight is not null) values["Marketplace:CommitsInFlight"] = commitsInFlight;
        var config = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        using var provider = new ServiceCollection()
            .AddHealthActorsGrainServices(config, ClusterSettings.From(config))
            .BuildServiceProvider();
        return provider.GetRequiredService<IOptions<MarketplaceOptions>>().Value;
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("9")]
    public void Out_of_range_is_refused_naming_the_key(string value)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Read(value));

        Assert.Contains("Marketplace:CommitsInFlight", error.Message);
    }

    [Fact]
    public void Not_a_number_is_refused()
    {
        Assert.ThrowsAny<InvalidOperationException>(() => Read("two"));
    }

    [Theory]
    [InlineData(null, 1)]
    [InlineData("1", 1)]
    [InlineData("8", 8)]
    public void The_default_is_one_commit_at_a_time_and_up_to_eight_are_taken(string? value, int expected)
    {
        Assert.Equal(expected, Read(value).CommitsInFlight);
    }
}
