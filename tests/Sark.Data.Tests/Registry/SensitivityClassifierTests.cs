using Sark.Data.Registry;

namespace Sark.Data.Tests.Registry;

public sealed class SensitivityClassifierTests
{
    [Theory]
    [InlineData("get_password", SensitivityLevel.Critical)]
    [InlineData("DeleteUser", SensitivityLevel.High)]
    [InlineData("delete-user", SensitivityLevel.High)]
    [InlineData("list_keys", SensitivityLevel.Critical)] // critical wins over low; a plural is the word
    [InlineData("list_key", SensitivityLevel.Critical)]
    [InlineData("list_keyring", SensitivityLevel.Low)]
    [InlineData("apply_patches", SensitivityLevel.Medium)]
    [InlineData("monkey", SensitivityLevel.Medium)]
    [InlineData("monkey_list", SensitivityLevel.Low)]
    [InlineData("keyboard_layout", SensitivityLevel.Medium)]
    [InlineData("getApiToken", SensitivityLevel.Critical)]
    [InlineData("HTTPRequest", SensitivityLevel.Medium)]
    [InlineData("SendHTTPPost", SensitivityLevel.Medium)]
    [InlineData("read_file", SensitivityLevel.Low)]
    [InlineData("ReadFile", SensitivityLevel.Low)]
    [InlineData("executeQuery", SensitivityLevel.High)]
    [InlineData("PurgeCache", SensitivityLevel.High)]
    [InlineData("upload.document", SensitivityLevel.Medium)]
    [InlineData("charge_credit_card", SensitivityLevel.Critical)]
    [InlineData("chargeCreditCard", SensitivityLevel.Critical)]
    [InlineData("credit_score", SensitivityLevel.Medium)]
    [InlineData("card_credit", SensitivityLevel.Medium)]
    [InlineData("set_access_control", SensitivityLevel.Critical)]
    [InlineData("oauth_login", SensitivityLevel.Medium)] // "oauth" is one word, not "auth"
    [InlineData("auth_login", SensitivityLevel.Critical)]
    [InlineData("drop_table", SensitivityLevel.High)]
    [InlineData("dropdown_render", SensitivityLevel.Medium)]
    [InlineData("", SensitivityLevel.Medium)]
    [InlineData("weather", SensitivityLevel.Medium)]
    public void Names_are_classified_by_whole_words(string name, SensitivityLevel expected) =>
        Assert.Equal(expected, SensitivityClassifier.Classify(name));

    [Fact]
    public void Critical_wins_over_low_whatever_the_order_in_the_name()
    {
        Assert.Equal(SensitivityLevel.Critical, SensitivityClassifier.Classify("list_secrets_key"));
        Assert.Equal(SensitivityLevel.Critical, SensitivityClassifier.Classify("list", "Lists the API key of a project"));
        Assert.Equal(SensitivityLevel.High, SensitivityClassifier.Classify("show_and_delete"));
    }

    [Fact]
    public void The_description_counts()
    {
        Assert.Equal(SensitivityLevel.Critical, SensitivityClassifier.Classify("rotate", "Rotates the signing secret."));
        Assert.Equal(SensitivityLevel.Low, SensitivityClassifier.Classify("weather", "Fetch the forecast."));
        Assert.Equal(SensitivityLevel.Medium, SensitivityClassifier.Classify("weather", "Asks the monkeys."));
        Assert.Equal(SensitivityLevel.Critical, SensitivityClassifier.Classify("pay", "Charges a credit card"));
    }

    [Fact]
    public void Parameter_names_count_at_any_depth_but_values_do_not()
    {
        const string Schema = """
            {"type": "object", "properties": {
                "city": {"type": "string", "description": "password is not a parameter name"},
                "options": {"type": "object", "properties": {"apiToken": {"type": "string"}}}}}
            """;
        Assert.Equal(SensitivityLevel.Critical, SensitivityClassifier.Classify("weather", null, Schema));

        const string Items = """{"type": "array", "items": {"type": "object", "properties": {"user_id": {}, "force_delete": {}}}}""";
        Assert.Equal(SensitivityLevel.High, SensitivityClassifier.Classify("weather", null, Items));

        const string Values = """{"type": "object", "properties": {"mode": {"enum": ["delete", "password"]}}}""";
        Assert.Equal(SensitivityLevel.Medium, SensitivityClassifier.Classify("weather", null, Values));
        Assert.Equal(SensitivityLevel.Medium, SensitivityClassifier.Classify("weather", null, "not json"));
    }

    [Fact]
    public void A_two_word_keyword_does_not_match_across_texts()
    {
        const string Schema = """{"properties": {"card": {}}}""";
        Assert.Equal(SensitivityLevel.Medium, SensitivityClassifier.Classify("credit", null, Schema));
    }

    [Theory]
    [InlineData("HTTPRequest", "http request")]
    [InlineData("deleteUser", "delete user")]
    [InlineData("Delete-User_now", "delete user now")]
    [InlineData("getV2Items", "get v 2 items")]
    [InlineData("sha256sum", "sha 256 sum")]
    [InlineData("  spaced   out ", "spaced out")]
    [InlineData("XMLHttpRequest", "xml http request")]
    [InlineData("ÉtatCivil", "état civil")]
    public void Words_split_at_separators_and_case_changes(string text, string expected) =>
        Assert.Equal(expected, string.Join(' ', SensitivityClassifier.Words(text)));
}
