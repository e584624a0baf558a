using HealthActors.Grains.Abstractions.Verification;

namespace HealthActors.UnitTests;

public sealed class DoctorCredentialRulesTests
{
    private const int ThisYear = 2026;

    private static CredentialSubmission Valid() => new()
    {
        LicenseNumber = "MAD-28-4411", IssuingAuthority = "Colegio de Médicos", Institution = "Universidad Complutense",
        Degree = "MD", GraduationYear = 2008, AttachmentIds = [],
    };

    private static IDictionary<string, string[]> Errors(CredentialSubmission s) => DoctorCredentialRules.Validate(s, ThisYear).ToDictionary();

    [Fact]
    public void A_complete_submission_passes_at_both_year_bounds_and_with_ten_attachments()
    {
        Assert.Empty(Errors(Valid()));
        Assert.Empty(Errors(Valid() with { GraduationYear = 1950, AttachmentIds = null }));
        Assert.Empty(Errors(Valid() with { GraduationYear = ThisYear, AttachmentIds = Enumerable.Range(0, 10).Select(_ => Guid.NewGuid()).ToArray() }));
    }

    [Theory]
    [InlineData(1949)]
    [InlineData(ThisYear + 1)]
    [InlineData(0)]
    public void A_graduation_year_outside_1950_to_this_year_is_refused(int year) =>
        Assert.Equal(["graduationYear"], Errors(Valid() with { GraduationYear = year }).Keys);

    [Fact]
    public void Each_bad_field_is_named()
    {
        Assert.Equal(["licenseNumber"], Errors(Valid() with { LicenseNumber = "a b" }).Keys);
        Assert.Equal(["licenseNumber"], Errors(Valid() with { LicenseNumber = "MN" }).Keys);
        Assert.Equal(["issuingAuthority"], Errors(Valid() with { IssuingAuthority = null }).Keys);
        Assert.Equal(["institution"], Errors(Valid() with { Institution = new string('x', 201) }).Keys);
        Assert.Equal(["degree"], Errors(Valid() with { Degree = " " }).Keys);
        Assert.Equal(["attachmentIds"], Errors(Valid() with { AttachmentIds = Enumerable.Range(0, 11).Select(_ => Guid.NewGuid()).ToArray() }).Keys);
        var repeated = Guid.NewGuid();
        Assert.Equal(["attachmentIds"], Errors(Valid() with { AttachmentIds = [repeated, repeated] }).Keys);
        Assert.Equal(["body"], DoctorCredentialRules.Validate(null, ThisYear).ToDictionary().Keys);
    }

    [Fact]
    public void A_rejection_needs_a_reason_and_an_approval_does_not()
    {
        Assert.True(DoctorCredentialRules.ValidateDecision(approve: true, null).IsValid);
        Assert.Equal(["reason"], DoctorCredentialRules.ValidateDecision(approve: false, null).ToDictionary().Keys);
        Assert.Equal(["reason"], DoctorCredentialRules.ValidateDecision(approve: false, "  ").ToDictionary().Keys);
        Assert.True(DoctorCredentialRules.ValidateDecision(approve: false, "Licence not in the registry.").IsValid);
    }
}
