// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "swansible",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "swansible-playbook", targets: ["swansible-playbook"]),
        .executable(name: "swansible", targets: ["swansible"]),
        .executable(name: "swansible-inventory", targets: ["swansible-inventory"]),
        .executable(name: "swansible-vault", targets: ["swansible-vault"]),
        .executable(name: "swansible-render", targets: ["swansible-render"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.1"),
    ],
    targets: [
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CSSH", pkgConfig: "libssh", providers: [.apt(["libssh-dev"])]),
        .target(name: "CShim", exclude: ["agent.py", "helper.py"], linkerSettings: [.linkedLibrary("crypt"), .linkedLibrary("z")]),
        .target(name: "Values", dependencies: [
            "CShim", .product(name: "OrderedCollections", package: "swift-collections"), .product(name: "BigInt", package: "BigInt")]),
        .target(name: "Vault", dependencies: [
            "Values", "CShim", .product(name: "Crypto", package: "swift-crypto"), .product(name: "_CryptoExtras", package: "swift-crypto")]),
        .target(name: "YAMLReader", dependencies: ["CYAML", "Values"]),
        .target(name: "Jinja", dependencies: [.product(name: "OrderedCollections", package: "swift-collections"), "Values"]),
        .target(name: "Inventory", dependencies: [.product(name: "OrderedCollections", package: "swift-collections"), "Values", "Vault", "YAMLReader"]),
        .target(name: "Playbook", dependencies: [.product(name: "OrderedCollections", package: "swift-collections"), "Values", "Vault", "YAMLReader"]),
        .target(name: "Remote", dependencies: ["CShim", "CSSH", "Values", .product(name: "OrderedCollections", package: "swift-collections")]),
        .target(name: "Engine", dependencies: [
            "Values", "Vault", "YAMLReader", "Jinja", "Inventory", "Playbook", "Remote",
            .product(name: "OrderedCollections", package: "swift-collections"),
            .product(name: "Crypto", package: "swift-crypto"), "CShim",
        ]),
        .target(name: "CLI", dependencies: ["Engine", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "swansible-playbook", dependencies: [
            "Engine", "CLI", "Remote", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "swansible", dependencies: [
            "Engine", "CLI", "Remote", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "swansible-inventory", dependencies: [
            "Engine", "CLI", "Inventory", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "swansible-vault", dependencies: [
            "Engine", "CLI", "Vault", "CShim", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "swansible-render", dependencies: [
            "Engine", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .testTarget(name: "ValuesTests", dependencies: ["Values"]),
        .testTarget(name: "VaultTests", dependencies: ["Vault"]),
        .testTarget(name: "YAMLReaderTests", dependencies: ["YAMLReader"]),
        .testTarget(name: "JinjaTests", dependencies: ["Jinja"]),
        .testTarget(name: "InventoryTests", dependencies: ["Inventory"]),
        .testTarget(name: "PlaybookTests", dependencies: ["Playbook"]),
        .testTarget(name: "RemoteTests", dependencies: ["Remote"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine"], exclude: ["Corpus"]),   // read from the tree by path
    ]
)
