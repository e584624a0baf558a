using HealthActors.Api.Errors;

namespace HealthActors.UnitTests;

public sealed class ProblemMappingTests
{
    [Theory]
    [InlineData(null, "body")]
    [InlineData("$", "body")]
    [InlineData("$.heightCm", "heightCm")]
    [InlineData("$.Medications[0].dose", "medications[0].dose")]
    [InlineData("$.emergencyContact.phone", "emergencyContact.phone")]
    public void Json_paths_become_field_names(string? path, string field) =>
        Assert.Equal(field, ApiExceptionHandler.FieldFromJsonPath(path));

    [Fact]
    public void Unknown_exceptions_become_a_500_that_says_nothing_about_internals()
    {
        var (status, problem) = ApiExceptionHandler.Map(new InvalidOperationException("connection string Host=secret"));
        Assert.Equal(500, status);
        Assert.DoesNotContain("secret", problem.Title + problem.Detail);
    }
}
