import Vault
import XCTest

final class VaultTests: XCTestCase {
    // Made by `ansible-vault encrypt --vault-password-file pw` (pw: secret1) and
    // `ansible-vault encrypt_string --vault-id lab@pw2` (pw2: other).
    static let file = """
        $ANSIBLE_VAULT;1.1;AES256
        63653333656665393465633730663665633830306336613136363432326635663332653331313332
        6163386362653864663465303738353466383030663566650a616665633862353539336565383736
        62663362626339303663336330313338356164616537303233643634613733383932373936366637
        6236323032383336380a656335646139363664306430656237633762663262333866383363313839
        38623437336263313732623338343763363230363933393135396364316265643035323037666566
        3634633238316331363937326231353536336330386564336236

        """
    static let labelled = """
        $ANSIBLE_VAULT;1.2;AES256;lab
        64386165663231363139386632626439346231653661656635616533643830656530386462313261
        3533616537633436386334333961393663396665613962630a623363663139663237303939656238
        33313239306366393636346136613039626337613239303133636639353836333465303132386234
        3536626638633933360a326162373362323366363565323930376639313334333262356166333836
        3831

        """

    func testDecryptsWhatAnsibleVaultMade() throws {
        let v = Vault(secrets: [VaultSecret(id: "default", bytes: Array("secret1".utf8))])
        XCTAssertEqual(try v.decryptText(Self.file), "vfile_var: from_vaulted_file\nlist: [1,2]\n")
    }

    func testLabelPicksItsSecretFirst() throws {
        let v = Vault(secrets: [VaultSecret(id: "default", bytes: Array("secret1".utf8)), VaultSecret(id: "lab", bytes: Array("other".utf8))])
        XCTAssertEqual(try v.decryptText(Self.labelled), "labelled")
    }

    func testWrongPasswordSaysNoSecretCouldDecrypt() {
        let v = Vault(secrets: [VaultSecret(id: "default", bytes: Array("nope".utf8))])
        XCTAssertThrowsError(try v.decrypt(Self.file)) {
            XCTAssertEqual(($0 as? VaultError)?.message, "Decryption failed (no vault secrets were found that could decrypt).")
        }
    }

    func testVaultIDMatchRefusesOtherSecrets() {
        let v = Vault(secrets: [VaultSecret(id: "default", bytes: Array("other".utf8))], idMatch: true)
        XCTAssertThrowsError(try v.decrypt(Self.labelled))
    }

    func testNoSecretsSaysSo() {
        XCTAssertThrowsError(try Vault().decrypt(Self.file)) {
            XCTAssertEqual(($0 as? VaultError)?.message, "Attempting to decrypt but no vault secrets found.")
        }
    }

    func testEncryptWritesAnsibleVaultsLayoutAndRoundTrips() throws {
        let v = Vault(secrets: [VaultSecret(id: "lab", bytes: Array("pw".utf8))])
        let text = try v.encrypt(Array("hello\n".utf8))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.first, "$ANSIBLE_VAULT;1.2;AES256;lab")
        XCTAssertTrue(lines.dropFirst().dropLast().allSatisfy { $0.count <= 80 })
        XCTAssertEqual(lines.last, "")
        XCTAssertEqual(try v.decryptText(text), "hello\n")
    }

    func testDefaultIdentityWritesVersion11() throws {
        let v = Vault(secrets: [VaultSecret(id: "default", bytes: Array("pw".utf8))])
        XCTAssertTrue(try v.encrypt(Array("x".utf8)).hasPrefix("$ANSIBLE_VAULT;1.1;AES256\n"))
    }
}
